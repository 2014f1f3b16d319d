"""Training: the tasks, the network, one optimiser module, one training loop, experiments.

``story`` makes the story task and ``memory_tasks`` the long-lag tasks of the LSTM paper
(temporal order, adding);
``network`` is the read-out, embedding, ``SequenceModel`` and ``NetworkStack`` (M networks
computed as one); ``optim`` holds SGD, Adam and clipping; ``loop`` trains one network or many
side by side with the same code; ``variants`` names the models a run can train (the RNN
from several starts, curricula, the LSTM, the GRU); ``experiments`` defines a run
(``RunSpec``) and trains and tests runs; ``sweeps`` trains many runs after a learning-rate
search (what the CLI calls); ``tracking`` measures the gradient that reaches the clue while
runs train.  ``text`` is the character text task (the standard library's source, the
held-out text, the windows of truncated BPTT), ``language`` the many-to-many language model
(``CharLM``), its truncated-BPTT step, its loop and sampling, and ``ngram`` the n-gram
baseline.
"""
