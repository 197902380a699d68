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
use spargebra::algebra::{AggregateExpression, Expression, GraphPattern, OrderExpression};
use spargebra::term::{NamedNodePattern, Variable};

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
pub fn check_services(pattern: &GraphPattern, allowed: &[NamedNode]) -> Result<(), Refused> {
    match pattern {
        GraphPattern::Bgp { .. } | GraphPattern::Path { .. } | GraphPattern::Values { .. } => Ok(()),
        GraphPattern::Join { left, right }
        | GraphPattern::Lateral { left, right }
        | GraphPattern::Union { left, right }
        | GraphPattern::Minus { left, right } => {
            check_services(left, allowed)?;
            check_services(right, allowed)
        }
        GraphPattern::LeftJoin {
            left,
            right,
            expression,
        } => {
            check_services(left, allowed)?;
            check_services(right, allowed)?;
            expression.iter().try_for_each(|e| check_expression(e, allowed))
        }
        GraphPattern::Filter { expr, inner } => {
            check_expression(expr, allowed)?;
            check_services(inner, allowed)
        }
        GraphPattern::Extend {
            inner, expression, ..
        } => {
            check_expression(expression, allowed)?;
            check_services(inner, allowed)
        }
        GraphPattern::OrderBy { inner, expression } => {
            for order in expression {
                let (OrderExpression::Asc(e) | OrderExpression::Desc(e)) = order;
                check_expression(e, allowed)?;
            }
            check_services(inner, allowed)
        }
        GraphPattern::Group {
            inner, aggregates, ..
        } => {
            for (_, aggregate) in aggregates {
                if let AggregateExpression::FunctionCall { expr, .. } = aggregate {
                    check_expression(expr, allowed)?;
                }
            }
            check_services(inner, allowed)
        }
        GraphPattern::Graph { inner, .. }
        | GraphPattern::Project { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. } => check_services(inner, allowed),
        GraphPattern::Service { name, inner, .. } => {
            match name {
                NamedNodePattern::NamedNode(endpoint) if allowed.contains(endpoint) => {}
                NamedNodePattern::NamedNode(endpoint) => {
                    return Err(Refused::Endpoint {
                        endpoint: endpoint.clone(),
                        federation_on: !allowed.is_empty(),
                    });
                }
                NamedNodePattern::Variable(variable) => return Err(Refused::Variable(variable.clone())),
            }
            // The remote evaluates the inner pattern, but a nested SERVICE
            // is refused all the same: the allow-list is the whole policy.
            check_services(inner, allowed)
        }
    }
}

/// [`check_services`] inside an expression (`EXISTS`, `NOT EXISTS`).
fn check_expression(expression: &Expression, allowed: &[NamedNode]) -> Result<(), Refused> {
    match expression {
        Expression::NamedNode(_)
        | Expression::Literal(_)
        | Expression::Variable(_)
        | Expression::Bound(_) => Ok(()),
        Expression::Exists(pattern) => check_services(pattern, allowed),
        Expression::Or(a, b)
        | Expression::And(a, b)
        | Expression::Equal(a, b)
        | Expression::SameTerm(a, b)
        | Expression::Greater(a, b)
        | Expression::GreaterOrEqual(a, b)
        | Expression::Less(a, b)
        | Expression::LessOrEqual(a, b)
        | Expression::Add(a, b)
        | Expression::Subtract(a, b)
        | Expression::Multiply(a, b)
        | Expression::Divide(a, b) => {
            check_expression(a, allowed)?;
            check_expression(b, allowed)
        }
        Expression::UnaryPlus(a) | Expression::UnaryMinus(a) | Expression::Not(a) => {
            check_expression(a, allowed)
        }
        Expression::If(a, b, c) => {
            check_expression(a, allowed)?;
            check_expression(b, allowed)?;
            check_expression(c, allowed)
        }
        Expression::In(a, list) => {
            check_expression(a, allowed)?;
            list.iter().try_for_each(|e| check_expression(e, allowed))
        }
        Expression::Coalesce(list) | Expression::FunctionCall(_, list) => {
            list.iter().try_for_each(|e| check_expression(e, allowed))
        }
    }
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
