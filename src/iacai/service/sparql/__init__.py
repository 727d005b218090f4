"""The SPARQL 1.1 Protocol: reading a request, deciding its answer, the named queries and the
service description.
"""
