"""Automatic screening's adapters: what looks at the frames of an upload (DESIGN.md §13).

``frames`` samples them through the hardened ffmpeg, ``hashing`` and ``blocklist`` match their
perceptual hashes against the operator's blocklist, ``nsfw`` scores them with a classifier whose
weights ship in its package, and ``scan`` puts the three together into ``Findings`` for the domain
to judge. ``port`` declares the three as Protocols, so the logic can be tested with fakes.
"""
