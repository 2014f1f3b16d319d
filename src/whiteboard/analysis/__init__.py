"""Looking inside networks: Jacobians and bounds, probes, gate what-ifs, hand-wired memories.

``jacobians`` (how blame flows back through time, and the (γλ)^k bound), ``cliff`` (an
exploding gradient and clipping), ``probes`` (what a state still holds: decoding, country
swaps, readability, memory units), ``whatif`` (forcing a gate or a unit of the state),
``wired`` (cells wired by hand to do the story task), ``attribution`` (which word moved the
answer), ``loss_gradients`` (how much of the loss's gradient reaches each word's state: the
trainer's heatmap); for the language models of Python source, ``code_features`` (strings, comments,
brackets, indentation of the text), ``units`` (which unit tracks which feature), ``reach``
(how far back a guess depends on the text) and ``baseline`` (the n-gram's record).
"""
