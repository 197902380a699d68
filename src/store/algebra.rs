//! What a SPARQL query or update uses, found by walking its algebra.
//!
//! Some parts of SPARQL are refused before evaluation: a `SERVICE` outside
//! the federation allow-list ([`super::federation`]), and in updates the
//! functions whose value replay could not reproduce ([`super::change`]).
//! Both can hide anywhere (subqueries, `OPTIONAL`, `MINUS`, `EXISTS` in
//! filters, projections, ordering and aggregates); [`walk`] visits every
//! place once, for whichever check asks.

use spargebra::algebra::{AggregateExpression, Expression, Function, GraphPattern, OrderExpression};
use spargebra::term::NamedNodePattern;

/// A part of a query that a check may refuse.
#[derive(Debug, Clone, Copy)]
pub enum Use<'a> {
    /// `SERVICE name { inner }`; the walk goes on into `inner`.
    Service(&'a NamedNodePattern),
    /// A call of a built-in or custom function.
    Function(&'a Function),
}

/// Calls `visit` on every [`Use`] in `pattern`, in order, stopping at the
/// first error.
pub fn walk<E>(pattern: &GraphPattern, visit: &mut impl FnMut(Use<'_>) -> Result<(), E>) -> Result<(), E> {
    match pattern {
        GraphPattern::Bgp { .. } | GraphPattern::Path { .. } | GraphPattern::Values { .. } => Ok(()),
        GraphPattern::Join { left, right }
        | GraphPattern::Lateral { left, right }
        | GraphPattern::Union { left, right }
        | GraphPattern::Minus { left, right } => {
            walk(left, visit)?;
            walk(right, visit)
        }
        GraphPattern::LeftJoin {
            left,
            right,
            expression,
        } => {
            walk(left, visit)?;
            walk(right, visit)?;
            expression.iter().try_for_each(|e| walk_expression(e, visit))
        }
        GraphPattern::Filter { expr, inner } => {
            walk_expression(expr, visit)?;
            walk(inner, visit)
        }
        GraphPattern::Extend {
            inner, expression, ..
        } => {
            walk_expression(expression, visit)?;
            walk(inner, visit)
        }
        GraphPattern::OrderBy { inner, expression } => {
            for order in expression {
                let (OrderExpression::Asc(e) | OrderExpression::Desc(e)) = order;
                walk_expression(e, visit)?;
            }
            walk(inner, visit)
        }
        GraphPattern::Group {
            inner, aggregates, ..
        } => {
            for (_, aggregate) in aggregates {
                if let AggregateExpression::FunctionCall { expr, .. } = aggregate {
                    walk_expression(expr, visit)?;
                }
            }
            walk(inner, visit)
        }
        GraphPattern::Graph { inner, .. }
        | GraphPattern::Project { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. } => walk(inner, visit),
        GraphPattern::Service { name, inner, .. } => {
            visit(Use::Service(name))?;
            walk(inner, visit)
        }
    }
}

/// [`walk`] inside an expression: its function calls, and the patterns of
/// `EXISTS` / `NOT EXISTS`.
fn walk_expression<E>(
    expression: &Expression,
    visit: &mut impl FnMut(Use<'_>) -> Result<(), E>,
) -> Result<(), E> {
    match expression {
        Expression::NamedNode(_)
        | Expression::Literal(_)
        | Expression::Variable(_)
        | Expression::Bound(_) => Ok(()),
        Expression::Exists(pattern) => walk(pattern, visit),
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
            walk_expression(a, visit)?;
            walk_expression(b, visit)
        }
        Expression::UnaryPlus(a) | Expression::UnaryMinus(a) | Expression::Not(a) => {
            walk_expression(a, visit)
        }
        Expression::If(a, b, c) => {
            walk_expression(a, visit)?;
            walk_expression(b, visit)?;
            walk_expression(c, visit)
        }
        Expression::In(a, list) => {
            walk_expression(a, visit)?;
            list.iter().try_for_each(|e| walk_expression(e, visit))
        }
        Expression::Coalesce(list) => list.iter().try_for_each(|e| walk_expression(e, visit)),
        Expression::FunctionCall(function, list) => {
            visit(Use::Function(function))?;
            list.iter().try_for_each(|e| walk_expression(e, visit))
        }
    }
}
