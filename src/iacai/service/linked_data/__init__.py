"""Linked data: every IRI under https://w3id.org/iacai/ dereferenced to a document, the dumps and
the vocabularies.
"""
