"""The stages of a simulated run, one module each (the list, with their random streams: :data:`sim.pipeline.STAGES`).

network → demand → routes → cameras (and patrol cars) → traffic → reads → access → reconstruct → metrics → write.
Each stage is a function that a notebook or test can call alone and that returns a frozen result; only
:mod:`sim.pipeline` composes them.
"""
