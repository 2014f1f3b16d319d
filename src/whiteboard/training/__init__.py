"""Training: the task generators, the optimisers, the training loop, experiments and sweeps.

``data`` makes the book's tasks (stories, temporal order, adding); ``optim`` holds SGD, Adam
and clipping; ``train`` the read-out, embedding, ``SequenceModel`` and the loop;
``experiments`` one run of one model at one lag, and ``sweeps`` many runs with a
learning-rate search (what the CLI calls).
"""
