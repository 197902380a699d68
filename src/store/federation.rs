//! Which remote SPARQL endpoints a query may call with `SERVICE`.
//!
//! Federation is off unless the operator lists endpoints
//! (`--federation-allow`). Before a query is evaluated, its algebra is
//! walked for `SERVICE` wherever one can hide (subqueries, `OPTIONAL`,
//! `MINUS`, `EXISTS` in filters and expressions), and any call outside the
//! allow-list refuses the whole query. Updates get an empty allow-list (see
//! [`crate::store::change::Update::parse`]): the log keeps an update's
//! text, not what a remote endpoint answered, so replaying it could not
//! rebuild the same graph.

use oxigraph::model::NamedNode;
use spargebra::algebra::GraphPattern;
use spargebra::term::{NamedNodePattern, Variable};

use super::algebra::{Use, walk};

/// A `SERVICE` call that is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refused {
    /// An endpoint outside the allow-list.
    #[error("SERVICE {endpoint} is refused: {}", if *.federation_on { "it is not in the federation allow-list" } else { "federation is off (see --federation-allow)" })]
    Endpoint {
        /// The endpoint.
        endpoint: NamedNode,
        /// Whether any endpoint is allowed at all.
        federation_on: bool,
    },
    /// An endpoint named by a variable, which could be any endpoint.
    #[error("SERVICE {0} is refused: the endpoint must be an IRI of the federation allow-list")]
    Variable(Variable),
}

/// Refuses any `SERVICE` whose endpoint is not in `allowed` (or is a
/// variable, which could name any endpoint), anywhere in the pattern:
/// subqueries, `OPTIONAL`, `MINUS`, `EXISTS` in filters and expressions.
/// A nested `SERVICE` is checked all the same, though the remote would
/// evaluate it: the allow-list is the whole policy.
pub fn check_services(pattern: &GraphPattern, allowed: &[NamedNode]) -> Result<(), Refused> {
    walk(pattern, &mut |found| match found {
        Use::Service(NamedNodePattern::NamedNode(endpoint)) if !allowed.contains(endpoint) => {
            Err(Refused::Endpoint {
                endpoint: endpoint.clone(),
                federation_on: !allowed.is_empty(),
            })
        }
        Use::Service(NamedNodePattern::Variable(variable)) => Err(Refused::Variable(variable.clone())),
        Use::Service(_) | Use::Function(_) => Ok(()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use spargebra::SparqlParser;

    fn check(query: &str, allowed: &[&str]) -> Result<(), ()> {
        let allowed: Vec<NamedNode> = allowed.iter().map(|iri| NamedNode::new(*iri).unwrap()).collect();
        let query = SparqlParser::new().parse_query(query).unwrap();
        let (spargebra::Query::Select { pattern, .. }
        | spargebra::Query::Ask { pattern, .. }
        | spargebra::Query::Construct { pattern, .. }
        | spargebra::Query::Describe { pattern, .. }) = &query;
        check_services(pattern, &allowed).map_err(drop)
    }

    #[test]
    fn services_are_found_wherever_they_hide() {
        let remote = "http://remote.example/sparql";
        for query in [
            "SELECT * { SERVICE <http://remote.example/sparql> { ?s ?p ?o } }",
            "SELECT * { ?a ?b ?c OPTIONAL { SERVICE <http://remote.example/sparql> { ?s ?p ?o } } }",
            "SELECT * { ?a ?b ?c MINUS { SERVICE <http://remote.example/sparql> { ?a ?p ?o } } }",
            "SELECT * { ?a ?b ?c FILTER EXISTS { SERVICE <http://remote.example/sparql> { ?a ?p ?o } } }",
            "SELECT * { ?a ?b ?c FILTER (!(1 = 2 || NOT EXISTS { SERVICE <http://remote.example/sparql> { ?a ?p ?o } })) }",
            "SELECT * { ?a ?b ?c BIND (IF(EXISTS { SERVICE <http://remote.example/sparql> {} }, 1, 0) AS ?x) }",
            "SELECT * { { SELECT ?s { SERVICE <http://remote.example/sparql> { ?s ?p ?o } } LIMIT 1 } }",
            "SELECT (COUNT(*) AS ?n) { GRAPH ?g { SERVICE SILENT <http://remote.example/sparql> { ?s ?p ?o } } } GROUP BY ?g",
            "ASK { { ?s ?p ?o } UNION { SERVICE <http://remote.example/sparql> { ?s ?p ?o } } }",
            "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://remote.example/sparql> { ?s ?p ?o } }",
            "SELECT * { ?s ?p ?o } ORDER BY (EXISTS { SERVICE <http://remote.example/sparql> {} })",
        ] {
            assert_eq!(check(query, &[]), Err(()), "{query}");
            assert_eq!(check(query, &[remote]), Ok(()), "{query}");
        }
        assert_eq!(
            check("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", &[remote]),
            Err(())
        );
        assert_eq!(
            check(
                "SELECT * { SERVICE <http://remote.example/sparql> { SERVICE <http://other.example/sparql> {} } }",
                &[remote]
            ),
            Err(())
        );
        assert_eq!(check("SELECT * { ?s ?p ?o }", &[]), Ok(()));
    }
}
