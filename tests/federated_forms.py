"""SERVICE as the red team wrote it: every form a call the engine makes, for the lexer's test
and the live service's."""

from __future__ import annotations


def written_forms(base: str) -> dict[str, str]:
    """SERVICE as the red team wrote it, each a call the engine makes."""
    e = f"<{base}/sparql>"
    pattern = "{ ?s ?p ?o }"
    x = "PREFIX x: <http://x/>"
    return {
        "plain": f"SELECT * WHERE {{ SERVICE {e} {pattern} }}",
        "comment ended by LF": f"SELECT * WHERE {{ SERVICE#x\n{e} {pattern} }}",
        "comment ended by CR": f"SELECT * WHERE {{ SERVICE#x\r{e} {pattern} }}",
        "CR hides it from LF-only comments": (
            f"SELECT * {{ BIND(1 AS ?x) #\r SERVICE {e} {pattern}\n}}"
        ),
        "tab": f"SELECT * WHERE {{ SERVICE\t{e} {pattern} }}",
        "no space": f"SELECT * WHERE {{ SERVICE{e}{pattern} }}",
        "mixed case": f"SELECT * WHERE {{ sErViCe {e} {pattern} }}",
        "SILENT": f"SELECT * WHERE {{ SERVICE SILENT {e} {pattern} }}",
        "SILENT glued": f"SELECT * WHERE {{ SERVICESILENT{e} {pattern} }}",
        "prefixed name glued": f"PREFIX x: <{base}/> SELECT * {{ SERVICEx:sparql {pattern} }}",
        "empty prefix glued": f"PREFIX : <{base}/> SELECT * {{ SERVICE:sparql {pattern} }}",
        "after true": f"SELECT * {{ ?s ?p true SERVICE {e} {pattern} }}",
        "after a double": f"SELECT * {{ ?s ?p 1e3SERVICE {e} {pattern} }}",
        "after a local escape": f"{x} SELECT * {{ ?s x:a\\# ?o SERVICE {e} {pattern} }}",
        "after a quote escape": f"{x} SELECT * {{ ?s x:a\\' ?o SERVICE {e} {pattern} }}",
        "escape in the IRI": f"SELECT * {{ SERVICE <{base}/\\u0073parql> {pattern} }}",
        "BASE and a relative IRI": f"BASE <{base}/> SELECT * {{ SERVICE <sparql> {pattern} }}",
        "variable endpoint": f"SELECT * {{ VALUES ?e {{ {e} }} SERVICE ?e {pattern} }}",
        "nested groups": f"SELECT * {{ {{ {{ OPTIONAL {{ SERVICE {e} {pattern} }} }} }} }}",
        "sub-select": f"SELECT * {{ {{ SELECT * {{ SERVICE {e} {pattern} }} }} }}",
        "FILTER EXISTS": f"SELECT * {{ BIND(1 AS ?x) FILTER EXISTS {{ SERVICE {e} {pattern} }} }}",
        "MINUS": f"SELECT * {{ BIND(1 AS ?x) MINUS {{ SERVICE {e} {pattern} }} }}",
        "UNION": f"SELECT * {{ {{ BIND(1 AS ?x) }} UNION {{ SERVICE {e} {pattern} }} }}",
        "ASK": f"ASK {{ SERVICE {e} {pattern} }}",
        "CONSTRUCT": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE {e} {pattern} }}",
        "DESCRIBE": f"DESCRIBE ?s WHERE {{ SERVICE {e} {pattern} }}",
        "after a long string": f"SELECT * {{ BIND('''a'''' AS ?x) SERVICE {e} {pattern} }}".replace(
            "'''a''''", "'''a'' '''"
        ),
        "after an escaped quote": f'SELECT * {{ BIND("a\\"" AS ?x) SERVICE {e} {pattern} }}',
        "after a language tag": f"SELECT * {{ BIND('x'@en AS ?l) SERVICE {e} {pattern} }}",
        "after less-than": f"SELECT * {{ FILTER(1<2) SERVICE {e} {pattern} }}",
    }
