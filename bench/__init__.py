"""The iacai-kg benchmark: the SPARQL service against its peers, on the same data and query mix."""
