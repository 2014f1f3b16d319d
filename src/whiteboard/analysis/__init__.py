"""Looking inside networks: Jacobians and bounds, probes, gate what-ifs, hand-wired memories.

``jacobians`` (how blame flows back through time, and the (γλ)^k bound), ``cliff`` (an
exploding gradient and clipping), ``probes`` (what a state still holds: decoding, country
swaps, readability, memory units), ``whatif`` (forcing a gate), ``wired`` (cells wired by
hand to do the story task), ``attribution`` (which word moved the answer).
"""
