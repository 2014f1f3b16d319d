"""Looking inside networks: Jacobians and bounds, probes, gate what-ifs, hand-wired memories.

``jacobians`` (how blame flows back through time, and the (γλ)^k bound), ``reach`` (∂L/∂W
split by how far back each term reaches, and the gradient at the clue), ``cliff`` (an
exploding gradient and clipping), ``probes`` (what a state still holds: decoding, country
swaps, readability, memory units, the answer given per class), ``whatif`` (forcing a gate),
``wired`` (cells wired by hand to do the story task).
"""
