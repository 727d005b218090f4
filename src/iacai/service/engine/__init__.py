"""The query engine: worker processes, the channel to them, and the writers that turn results into
bytes.

The only code that runs in worker processes; it imports nothing from the rest of the service.
"""
