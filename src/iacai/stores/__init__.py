"""Where the served graph lives: in memory, on disk, or in a remote SPARQL 1.1 store.

Every store answers `query(text, prefixes=..., default_graph=..., named_graphs=...,
use_default_graph_as_union=..., substitutions=...)` as pyoxigraph's `Store.query` does, so the
query workers run the same code whichever store holds the graph.
"""
