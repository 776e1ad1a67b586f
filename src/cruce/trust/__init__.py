"""Trust: keys and identities, verifiable credentials, the transparency log, verification.

This layer signs and logs JSON and bytes and knows nothing of customs: artifacts hand it a
credential body. It imports nothing of cruce but the translation helpers.
"""
