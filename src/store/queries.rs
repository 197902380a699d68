//! Named SPARQL queries: every query meshgraph's code runs is a file in
//! `queries/`, embedded here with `include_str!`.
//!
//! Each file opens with a `#` header that says what the query is for, which
//! variables the caller binds and who calls it:
//!
//! ```text
//! # Purpose: what the query answers (continuation lines are indented).
//! # Parameters:
//! #   ?key (literal): what the caller binds to ?key.
//! # Caller: the code that runs it.
//! ```
//!
//! `Parameters: none` declares a query without parameters. A parameter's
//! kind is `iri` (bound to a named node), `literal` (bound to a plain
//! string literal), `term` (either, see [`Kind::term`]) or `iris` (a list of
//! named nodes, bound as the rows of the query's `VALUES ?name {}` block).
//!
//! Parameters are never pasted into the query text: the text is parsed as
//! written, a single term is bound with
//! [`PreparedSparqlQuery::substitute_variable`] and a list fills the
//! `VALUES` block of the parsed algebra, so a value can only ever be RDF
//! terms, whatever characters it holds. A single-term parameter must
//! therefore be a variable of the query's `SELECT` clause (oxigraph binds
//! only those). Queries run with the default graph as the union of all
//! graphs.
//!
//! A list lets one evaluation answer for a whole batch (a page of datasets),
//! where a query per item would cost a read each; oxigraph evaluates the
//! `VALUES` block first and looks each row up by index.
//!
//! The store readers ([`super::read`]) and the catalog ([`crate::catalog`])
//! run them; `GET /api/v1/queries` lists them and `GET
//! /api/v1/queries/{name}` runs one.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use oxigraph::model::{Literal, NamedNode, Term, Variable};
use oxigraph::sparql::{
    PreparedSparqlQuery, QueryEvaluationError, QueryResults, QuerySolution, SparqlEvaluator,
    SparqlSyntaxError,
};
use serde::Serialize;
use spargebra::algebra::GraphPattern;
use spargebra::term::GroundTerm;

use super::Store;

/// Errors of named queries.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// No query of that name is registered.
    #[error("no named query {0:?}")]
    Unknown(String),
    /// The caller did not bind a parameter the query declares.
    #[error("query {query:?} needs the parameter `{parameter}`")]
    MissingParameter {
        /// The query.
        query: &'static str,
        /// The parameter, without `?`.
        parameter: String,
    },
    /// The caller bound a variable the query does not declare as a parameter.
    #[error("query {query:?} has no parameter `{parameter}` (it takes: {declared})")]
    UnknownParameter {
        /// The query.
        query: &'static str,
        /// The variable, without `?`.
        parameter: String,
        /// The declared parameters, comma-separated, or `none`.
        declared: String,
    },
    /// A value cannot be bound to a parameter of that kind.
    #[error("`{parameter}` of query {query:?} must be {expected}, got {value:?}")]
    InvalidParameter {
        /// The query.
        query: &'static str,
        /// The parameter, without `?`.
        parameter: String,
        /// What the parameter takes.
        expected: &'static str,
        /// The value given.
        value: String,
    },
    /// A list parameter's variable has no `VALUES` block of its own in the
    /// query (a bug: a unit test binds every parameter).
    #[error("query {query:?} has no `VALUES ?{parameter} {{}}` block to bind the list to")]
    NoValuesBlock {
        /// The query.
        query: &'static str,
        /// The parameter, without `?`.
        parameter: String,
    },
    /// The embedded text does not parse (a bug: a unit test parses them all).
    #[error("named query {query:?} does not parse: {source}")]
    Syntax {
        /// The query.
        query: &'static str,
        /// The parser's error.
        source: SparqlSyntaxError,
    },
    /// oxigraph failed while evaluating the query.
    #[error("named query {query:?} failed: {source}")]
    Evaluation {
        /// The query.
        query: &'static str,
        /// The evaluator's error.
        source: QueryEvaluationError,
    },
    /// A query run for its solutions is not a `SELECT`.
    #[error("named query {0:?} is not a SELECT query")]
    NotSelect(&'static str),
}

/// What a parameter is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    /// A named node (an absolute IRI).
    Iri,
    /// A plain string literal, the text exactly as given.
    Literal,
    /// A named node or a plain literal, decided by the text ([`Kind::term`]).
    Term,
    /// Named nodes: the rows of the query's `VALUES` block of the variable.
    Iris,
}

/// What a parameter is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// One term, in place of the variable (`iri`, `literal`, `term`).
    Term(Term),
    /// The rows of the variable's `VALUES` block, one IRI each (`iris`).
    Iris(Vec<NamedNode>),
}

impl<T: Into<Term>> From<T> for Binding {
    fn from(term: T) -> Self {
        Self::Term(term.into())
    }
}

impl Kind {
    fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "iri" => Some(Self::Iri),
            "literal" => Some(Self::Literal),
            "term" => Some(Self::Term),
            "iris" => Some(Self::Iris),
            _ => None,
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Self::Iri => "an absolute IRI, e.g. https://example.com/x or <https://example.com/x>",
            Self::Literal => "a text",
            Self::Term => "an IRI in <...>, an absolute IRI or a text",
            Self::Iris => "absolute IRIs separated by spaces, each bare or in <...>",
        }
    }

    /// What a text given for a parameter of this kind binds: one term
    /// ([`Kind::term`]), or for `iris` the IRIs the text lists, separated
    /// by white space (which no IRI holds). `None` when the text cannot be
    /// bound to this kind.
    pub fn bind(self, text: &str) -> Option<Binding> {
        match self {
            Self::Iris => text
                .split_whitespace()
                .map(|iri| match Self::Iri.term(iri)? {
                    Term::NamedNode(n) => Some(n),
                    _ => None,
                })
                .collect::<Option<_>>()
                .map(Binding::Iris),
            _ => self.term(text).map(Binding::Term),
        }
    }

    /// The term a text given for a parameter of this kind stands for.
    ///
    /// - `iri`: the text, or the text inside `<...>`, as an absolute IRI.
    /// - `literal`: a plain literal of the text exactly as given (a tag key
    ///   such as `retail:Order` would otherwise read as an IRI).
    /// - `term`: a text in `<...>` is an IRI (and must be a valid one); a
    ///   text that parses as an absolute IRI (it has a scheme, as in
    ///   `https://...` or `urn:x`) is an IRI; anything else is a plain literal.
    ///
    /// `None` when the text cannot be a term of this kind (always for
    /// `iris`, a list: see [`Kind::bind`]).
    pub fn term(self, text: &str) -> Option<Term> {
        let bracketed = text.strip_prefix('<').and_then(|t| t.strip_suffix('>'));
        match self {
            Self::Literal => Some(Literal::new_simple_literal(text).into()),
            Self::Iri => NamedNode::new(bracketed.unwrap_or(text)).ok().map(Into::into),
            Self::Iris => None,
            Self::Term => match bracketed {
                Some(iri) => NamedNode::new(iri).ok().map(Into::into),
                None => Some(
                    NamedNode::new(text)
                        .map(Term::from)
                        .unwrap_or_else(|_| Literal::new_simple_literal(text).into()),
                ),
            },
        }
    }
}

/// A variable the caller binds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parameter {
    /// The variable's name, without `?`.
    pub name: String,
    /// What it is bound to.
    pub kind: Kind,
    /// What it means.
    pub description: String,
}

/// What a query's `#` header says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// What the query answers.
    pub purpose: String,
    /// The variables the caller binds (`None` if the header does not say,
    /// which a unit test refuses; `Some(empty)` for `Parameters: none`).
    pub parameters: Option<Vec<Parameter>>,
    /// Who runs it.
    pub caller: String,
}

impl Header {
    /// Reads the `#` lines at the top of a query.
    pub fn parse(text: &str) -> Self {
        #[derive(PartialEq)]
        enum Section {
            None,
            Purpose,
            Parameters,
            Caller,
        }
        let mut header = Header::default();
        let mut section = Section::None;
        let append = |to: &mut String, text: &str| {
            if !text.is_empty() {
                if !to.is_empty() {
                    to.push(' ');
                }
                to.push_str(text);
            }
        };
        for line in text.lines() {
            let Some(line) = line.strip_prefix('#') else { break };
            let line = line.trim();
            let (key, rest) = match line.split_once(':') {
                Some((key, rest)) if !key.contains(' ') && !key.starts_with('?') => {
                    (key.to_ascii_lowercase(), rest.trim())
                }
                _ => (String::new(), line),
            };
            match key.as_str() {
                "purpose" => {
                    section = Section::Purpose;
                    append(&mut header.purpose, rest);
                }
                "caller" => {
                    section = Section::Caller;
                    append(&mut header.caller, rest);
                }
                "parameters" => {
                    section = Section::Parameters;
                    header.parameters = Some(Vec::new());
                }
                _ => match section {
                    Section::Purpose => append(&mut header.purpose, line),
                    Section::Caller => append(&mut header.caller, line),
                    Section::Parameters => {
                        let params = header.parameters.get_or_insert_with(Vec::new);
                        if let Some(param) = parse_parameter(line) {
                            params.push(param);
                        } else if let Some(last) = params.last_mut() {
                            append(&mut last.description, line);
                        }
                    }
                    Section::None => {}
                },
            }
        }
        header
    }
}

/// `?name (kind): description`.
fn parse_parameter(line: &str) -> Option<Parameter> {
    let rest = line.strip_prefix('?')?;
    let (name, rest) = rest.split_once(|c: char| c.is_whitespace() || c == ':')?;
    let rest = rest.trim_start();
    let (kind, description) = match rest.strip_prefix('(') {
        Some(inner) => {
            let (kind, after) = inner.split_once(')')?;
            (
                Kind::parse(kind)?,
                after.trim_start().trim_start_matches(':').trim(),
            )
        }
        None => (Kind::Term, rest.trim_start_matches(':').trim()),
    };
    Variable::new(name).ok()?;
    Some(Parameter {
        name: name.to_owned(),
        kind,
        description: description.to_owned(),
    })
}

/// One named query.
#[derive(Debug)]
pub struct NamedQuery {
    /// Its name: the file name without `.rq`.
    pub name: &'static str,
    /// The file's text, header included.
    pub text: &'static str,
    header: OnceLock<Header>,
}

/// Declares the named queries: one `pub static` per file and [`ALL`].
macro_rules! named_queries {
    ($($(#[$doc:meta])* $id:ident = $file:literal;)*) => {
        $(
            $(#[$doc])*
            pub static $id: NamedQuery = NamedQuery {
                name: $file,
                text: include_str!(concat!("../../queries/", $file, ".rq")),
                header: OnceLock::new(),
            };
        )*
        /// Every named query, by name.
        pub static ALL: &[&NamedQuery] = &[$(&$id),*];
    };
}

named_queries! {
    /// Data products with title, description, domain, lifecycle status.
    CATALOG_PRODUCTS = "catalog-products";
    /// The owners of data products.
    CATALOG_PRODUCT_OWNERS = "catalog-product-owners";
    /// The datasets of data products, through ports or shortcuts.
    CATALOG_PRODUCT_DATASETS = "catalog-product-datasets";
    /// Domains with label and description.
    CATALOG_DOMAINS = "catalog-domains";
    /// Concepts with their labels and notations.
    CATALOG_CONCEPTS = "catalog-concepts";
    /// Subclass and broader/narrower links.
    CATALOG_CONCEPT_RELATIONS = "catalog-concept-relations";
    /// Every `mg:concept` statement.
    CATALOG_CONCEPT_STATEMENTS = "catalog-concept-statements";
    /// The distinct keys of OpenLineage tags.
    CATALOG_TAG_KEYS = "catalog-tag-keys";
    /// What carries a tag of a given key.
    CATALOG_TAGGED = "catalog-tagged";
    /// The tag keys on a batch of datasets and their columns.
    CATALOG_DATASET_TAGS = "catalog-dataset-tags";
    /// The facets of a batch of datasets, jobs or runs.
    READ_FACETS = "read-facets";
    /// A batch of datasets: which are datasets, and their creation time.
    READ_DATASETS = "read-datasets";
    /// A batch of runs: what each wrote, its creation, state and end.
    READ_RUNS = "read-runs";
    /// How many namespaces, datasets, jobs and runs there are.
    OVERVIEW_COUNTS = "overview-counts";
    /// The runs with the latest activity.
    OVERVIEW_RECENT_RUNS = "overview-recent-runs";
    /// The latest runs of the jobs whose latest run failed.
    OVERVIEW_FAILING_JOBS = "overview-failing-jobs";
}

/// The named query called `name`.
pub fn get(name: &str) -> Option<&'static NamedQuery> {
    ALL.iter().copied().find(|q| q.name == name)
}

impl NamedQuery {
    /// Its header.
    pub fn header(&self) -> &Header {
        self.header.get_or_init(|| Header::parse(self.text))
    }

    /// The parameters it declares.
    pub fn parameters(&self) -> &[Parameter] {
        self.header().parameters.as_deref().unwrap_or_default()
    }

    /// Parses the query for `evaluator` and binds `bindings` (variable name
    /// without `?`, value): each declared parameter exactly once, as its
    /// kind says, nothing else. The default graph is the union of all graphs.
    pub fn prepare(
        &self,
        evaluator: SparqlEvaluator,
        bindings: &[(&str, Binding)],
    ) -> Result<PreparedSparqlQuery, QueryError> {
        let declared = self.parameters();
        for (name, binding) in bindings {
            let Some(parameter) = declared.iter().find(|p| p.name == *name) else {
                return Err(QueryError::UnknownParameter {
                    query: self.name,
                    parameter: (*name).to_owned(),
                    declared: self.declared(),
                });
            };
            if matches!(binding, Binding::Iris(_)) != (parameter.kind == Kind::Iris) {
                return Err(QueryError::InvalidParameter {
                    query: self.name,
                    parameter: parameter.name.clone(),
                    expected: parameter.kind.expected(),
                    value: format!("{binding:?}"),
                });
            }
        }
        let bound: BTreeSet<&str> = bindings.iter().map(|(name, _)| *name).collect();
        if let Some(missing) = declared.iter().find(|p| !bound.contains(p.name.as_str())) {
            return Err(QueryError::MissingParameter {
                query: self.name,
                parameter: missing.name.clone(),
            });
        }
        let mut query = spargebra::SparqlParser::new()
            .parse_query(self.text)
            .map_err(|source| QueryError::Syntax {
                query: self.name,
                source,
            })?;
        let mut terms = Vec::new();
        for (name, binding) in bindings {
            // Declared parameters are valid variable names (checked on parse).
            let variable = Variable::new_unchecked(*name);
            match binding {
                Binding::Term(term) => terms.push((variable, term.clone())),
                Binding::Iris(iris) => {
                    let rows: Vec<Vec<Option<GroundTerm>>> = iris
                        .iter()
                        .map(|iri| vec![Some(GroundTerm::NamedNode(iri.clone()))])
                        .collect();
                    if !fill_values(query_pattern(&mut query), &variable, &rows) {
                        return Err(QueryError::NoValuesBlock {
                            query: self.name,
                            parameter: (*name).to_owned(),
                        });
                    }
                }
            }
        }
        let mut prepared = evaluator.for_query(query);
        prepared.dataset_mut().set_default_graph_as_union();
        for (variable, term) in terms {
            prepared = prepared.substitute_variable(variable, term);
        }
        Ok(prepared)
    }

    /// Binds text values from a client to the declared parameters, each as
    /// its kind says ([`Kind::bind`]); `value(name)` gives the text of a
    /// parameter, if the client sent one.
    pub fn bind_texts<'a>(
        &self,
        value: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<Vec<(&str, Binding)>, QueryError> {
        self.parameters()
            .iter()
            .map(|p| {
                let text = value(&p.name).ok_or_else(|| QueryError::MissingParameter {
                    query: self.name,
                    parameter: p.name.clone(),
                })?;
                let binding = p.kind.bind(text).ok_or_else(|| QueryError::InvalidParameter {
                    query: self.name,
                    parameter: p.name.clone(),
                    expected: p.kind.expected(),
                    value: text.to_owned(),
                })?;
                Ok((p.name.as_str(), binding))
            })
            .collect()
    }

    fn declared(&self) -> String {
        let names: Vec<&str> = self.parameters().iter().map(|p| p.name.as_str()).collect();
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    }

    /// Runs the query on `store` with `evaluator` (a plain
    /// `SparqlEvaluator::new()`, or one with a cancellation token): one
    /// read. [`QueryResults`] is not `Send`: call from the blocking task
    /// that consumes it.
    pub fn execute(
        &self,
        evaluator: SparqlEvaluator,
        store: &Store,
        bindings: &[(&str, Binding)],
    ) -> Result<QueryResults<'static>, QueryError> {
        let prepared = self.prepare(evaluator, bindings)?;
        store.count_read();
        prepared
            .on_store(store.oxigraph())
            .execute()
            .map_err(|source| QueryError::Evaluation {
                query: self.name,
                source,
            })
    }

    /// Runs a `SELECT` query and collects its solutions.
    pub fn select(
        &self,
        store: &Store,
        bindings: &[(&str, Binding)],
    ) -> Result<Vec<QuerySolution>, QueryError> {
        let QueryResults::Solutions(solutions) = self.execute(SparqlEvaluator::new(), store, bindings)?
        else {
            return Err(QueryError::NotSelect(self.name));
        };
        solutions
            .collect::<Result<Vec<_>, _>>()
            .map_err(|source| QueryError::Evaluation {
                query: self.name,
                source,
            })
    }
}

/// The graph pattern of a query, whatever its form.
fn query_pattern(query: &mut spargebra::Query) -> &mut GraphPattern {
    match query {
        spargebra::Query::Select { pattern, .. }
        | spargebra::Query::Construct { pattern, .. }
        | spargebra::Query::Describe { pattern, .. }
        | spargebra::Query::Ask { pattern, .. } => pattern,
    }
}

/// Sets the rows of every `VALUES` block over `variable` alone in
/// `pattern`; whether there was one.
fn fill_values(pattern: &mut GraphPattern, variable: &Variable, rows: &[Vec<Option<GroundTerm>>]) -> bool {
    use GraphPattern as P;
    match pattern {
        P::Values { variables, bindings } if variables.as_slice() == std::slice::from_ref(variable) => {
            *bindings = rows.to_vec();
            true
        }
        P::Join { left, right }
        | P::LeftJoin { left, right, .. }
        | P::Lateral { left, right }
        | P::Union { left, right }
        | P::Minus { left, right } => {
            // Both sides: a block may stand in each branch of a UNION.
            let found = fill_values(left, variable, rows);
            fill_values(right, variable, rows) || found
        }
        P::Filter { inner, .. }
        | P::Graph { inner, .. }
        | P::Extend { inner, .. }
        | P::OrderBy { inner, .. }
        | P::Project { inner, .. }
        | P::Distinct { inner }
        | P::Reduced { inner }
        | P::Slice { inner, .. }
        | P::Group { inner, .. }
        | P::Service { inner, .. } => fill_values(inner, variable, rows),
        P::Bgp { .. } | P::Path { .. } | P::Values { .. } => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_in_queries_is_registered_once() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter_map(|f| f.strip_suffix(".rq").map(str::to_owned))
            .collect();
        files.sort();
        let mut names: Vec<String> = ALL.iter().map(|q| q.name.to_owned()).collect();
        names.sort();
        assert_eq!(files, names, "queries/*.rq and the registry differ");
    }

    #[test]
    fn every_query_has_a_header_parses_and_binds_its_parameters() {
        let store = Store::in_memory().unwrap();
        for query in ALL {
            let header = query.header();
            assert!(!header.purpose.is_empty(), "{}: no Purpose", query.name);
            assert!(!header.caller.is_empty(), "{}: no Caller", query.name);
            let params = header
                .parameters
                .as_ref()
                .unwrap_or_else(|| panic!("{}: no Parameters line", query.name));
            let bindings: Vec<(&str, Binding)> = params
                .iter()
                .map(|p| {
                    assert!(
                        query.text.contains(&format!("?{}", p.name)),
                        "{}: ?{} is not in the query",
                        query.name,
                        p.name
                    );
                    assert!(
                        !p.description.is_empty(),
                        "{}: ?{} undocumented",
                        query.name,
                        p.name
                    );
                    let text = match p.kind {
                        Kind::Iri => "https://example.com/x",
                        Kind::Iris => "https://example.com/x <https://example.com/y>",
                        _ => "x",
                    };
                    (p.name.as_str(), p.kind.bind(text).unwrap())
                })
                .collect();
            // Runs on an empty store: a parameter outside the SELECT clause
            // would fail here, as oxigraph only binds projected variables.
            let rows = query
                .select(&store, &bindings)
                .unwrap_or_else(|e| panic!("{}: {e}", query.name));
            // Nothing to find, except for counts: one row of zeros.
            if std::ptr::eq(*query, &OVERVIEW_COUNTS) {
                assert_eq!(rows.len(), 1);
            } else {
                assert!(rows.is_empty(), "{}", query.name);
            }
            if let Some(first) = params.first() {
                let rest: Vec<(&str, Binding)> = bindings
                    .iter()
                    .filter(|(n, _)| *n != first.name)
                    .cloned()
                    .collect();
                assert!(matches!(
                    query.prepare(SparqlEvaluator::new(), &rest),
                    Err(QueryError::MissingParameter { .. })
                ));
            }
        }
    }

    #[test]
    fn headers_read_purpose_parameters_and_caller() {
        let header = Header::parse(
            "# Purpose: first line\n#   second line\n# Parameters:\n#   ?a (iri): the a\n#     continued\n#   ?b (literal): the b\n#   ?c: any\n# Caller: me\nSELECT * {}\n# not header",
        );
        assert_eq!(header.purpose, "first line second line");
        assert_eq!(header.caller, "me");
        let params = header.parameters.unwrap();
        assert_eq!(
            params
                .iter()
                .map(|p| (p.name.as_str(), p.kind, p.description.as_str()))
                .collect::<Vec<_>>(),
            [
                ("a", Kind::Iri, "the a continued"),
                ("b", Kind::Literal, "the b"),
                ("c", Kind::Term, "any")
            ]
        );
        assert_eq!(Header::parse("# Parameters: none\n").parameters, Some(vec![]));
    }

    #[test]
    fn texts_become_terms_by_kind() {
        let iri = |s: &str| Some(Term::from(NamedNode::new(s).unwrap()));
        let lit = |s: &str| Some(Term::from(Literal::new_simple_literal(s)));
        assert_eq!(Kind::Iri.term("https://e.com/x"), iri("https://e.com/x"));
        assert_eq!(Kind::Iri.term("<https://e.com/x>"), iri("https://e.com/x"));
        assert_eq!(Kind::Iri.term("a>b"), None);
        assert_eq!(Kind::Iri.term("<x\" } ; DROP ALL ; #>"), None);
        assert_eq!(Kind::Literal.term("retail:Order"), lit("retail:Order"));
        assert_eq!(Kind::Literal.term("<a>"), lit("<a>"));
        assert_eq!(Kind::Term.term("<urn:x>"), iri("urn:x"));
        assert_eq!(Kind::Term.term("urn:x"), iri("urn:x"));
        assert_eq!(Kind::Term.term("a>b"), lit("a>b"));
        assert_eq!(
            Kind::Term.term("x\" } ; DROP ALL ; #>"),
            lit("x\" } ; DROP ALL ; #>")
        );
        assert_eq!(Kind::Term.term("<not an iri>"), None);
    }

    #[test]
    fn bound_values_are_terms_not_text() {
        // A literal full of SPARQL syntax matches only itself.
        let store = Store::in_memory().unwrap();
        let graph = NamedNode::new("https://example.com/g").unwrap();
        let nasty = "x\" } ; DROP ALL ; #>";
        for (i, key) in [nasty, "a>b"].into_iter().enumerate() {
            let tag = NamedNode::new(format!("https://example.com/tag/{i}")).unwrap();
            let carrier = NamedNode::new(format!("https://example.com/ds/{i}")).unwrap();
            let quads = [
                oxigraph::model::Quad::new(
                    tag.clone(),
                    super::super::vocab::mg::TAG_KEY,
                    Literal::new_simple_literal(key),
                    graph.clone(),
                ),
                oxigraph::model::Quad::new(carrier, super::super::vocab::mg::HAS_TAG, tag, graph.clone()),
            ];
            store.oxigraph().extend(quads).unwrap();
        }
        let before = store.oxigraph().len().unwrap();
        for (key, expected) in [
            (nasty, "https://example.com/ds/0"),
            ("a>b", "https://example.com/ds/1"),
        ] {
            let rows = CATALOG_TAGGED
                .select(&store, &[("key", Literal::new_simple_literal(key).into())])
                .unwrap();
            assert_eq!(rows.len(), 1, "{key}");
            assert_eq!(
                rows[0].get("carrier").unwrap().to_string(),
                format!("<{expected}>")
            );
        }
        let none = CATALOG_TAGGED
            .select(&store, &[("key", Literal::new_simple_literal("a").into())])
            .unwrap();
        assert!(none.is_empty());
        assert_eq!(store.oxigraph().len().unwrap(), before);
        assert!(matches!(
            CATALOG_TAGGED.prepare(
                SparqlEvaluator::new(),
                &[("nope", Literal::new_simple_literal("a").into())]
            ),
            Err(QueryError::UnknownParameter { .. })
        ));
    }
}
