"""Looking inside networks: Jacobians and bounds, probes, gate what-ifs, hand-wired memories.

``jacobians`` (how blame flows back through time, and the (γλ)^k bound), ``reach`` (∂L/∂W
split by how far back each term reaches, the gradient at the clue, how far back a language
model's guess depends on the text), ``cliff`` (an exploding gradient and clipping),
``probes`` (what a state still holds: decoding, country swaps, readability, memory units,
the answer given per class), ``whatif`` (forcing a gate or a unit of the state), ``wired``
(cells wired by hand to do the story task), ``attribution`` (which word moved the answer),
``loss_gradients`` (how much of the loss's gradient reaches each word's state: the
trainer's heatmap); for the language models of Python source, ``code_features`` (strings,
comments, brackets, indentation of the text), ``units`` (which unit tracks which feature)
and ``baseline`` (the n-gram's record).
"""
