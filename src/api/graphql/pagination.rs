//! Relay-style cursor pagination for every GraphQL list.
//!
//! A list field takes `first` (page size, default [`DEFAULT_FIRST`], at most
//! [`MAX_FIRST`]) and `after` (the cursor of the last item already seen) and
//! answers a connection: `edges { cursor node }`, `nodes`, `pageInfo` and
//! `totalCount`. Cursors are opaque; inside they are offsets into the
//! listing's order (by name, or newest first), which is what the store
//! readers page by. Paging is forward only: `last`/`before` are not offered.

use async_graphql::connection::{
    Connection, ConnectionNameType, DefaultConnectionName, DefaultEdgeName, Edge, EdgeNameType, EmptyFields,
    OpaqueCursor,
};
use async_graphql::{OutputType, SimpleObject};

use super::invalid_parameter;
use crate::store::read::Page;

/// The page size when `first` is not given (Marquez's default limit).
pub const DEFAULT_FIRST: usize = 100;

/// The largest page `first` may ask for.
pub const MAX_FIRST: usize = 1000;

/// The fields a connection adds to Relay's.
#[derive(SimpleObject)]
pub struct Total {
    /// How many items the whole list holds, across all pages.
    pub total_count: usize,
}

/// An opaque cursor: the offset of an item in its list.
pub type Cursor = OpaqueCursor<usize>;

/// A page of a list, as a Relay connection named after its node type
/// (`DatasetConnection`, `DatasetEdge`) unless `N` and `E` name it.
pub type List<T, N = DefaultConnectionName, E = DefaultEdgeName> =
    Connection<Cursor, T, Total, EmptyFields, N, E>;

/// The slice of a list that `first` and `after` ask for; an
/// `invalid_parameter` error for a negative or too large `first` or a cursor
/// this server did not hand out.
pub fn window(first: Option<i32>, after: Option<&str>) -> async_graphql::Result<Page> {
    let limit = match first {
        None => DEFAULT_FIRST,
        Some(n) => match usize::try_from(n) {
            Ok(n) if n <= MAX_FIRST => n,
            _ => {
                return Err(invalid_parameter(format!(
                    "`first` must be between 0 and {MAX_FIRST}, got {n}"
                )));
            }
        },
    };
    let offset = match after {
        None => 0,
        Some(text) => {
            let cursor =
                <Cursor as async_graphql::connection::CursorType>::decode_cursor(text).map_err(|_| {
                    invalid_parameter(format!("`after` is not a cursor from this list: {text:?}"))
                })?;
            cursor.0 + 1
        }
    };
    Ok(Page { limit, offset })
}

/// A connection over one page of a list: `items` is the page that `page`
/// selected, `total` the size of the whole list.
pub fn connection<T, N, E>(page: Page, items: Vec<T>, total: usize) -> List<T, N, E>
where
    T: OutputType,
    N: ConnectionNameType,
    E: EdgeNameType,
{
    let has_next = page.offset + items.len() < total;
    let mut list =
        Connection::with_additional_fields(page.offset > 0, has_next, Total { total_count: total });
    list.edges.extend(
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| Edge::new(OpaqueCursor(page.offset + i), item)),
    );
    list
}

/// The cost of a list field for the complexity limit: its page size times
/// what each item selects.
pub fn cost(first: Option<i32>, child_complexity: usize) -> usize {
    let size = first.map_or(DEFAULT_FIRST, |n| usize::try_from(n).unwrap_or(0).min(MAX_FIRST));
    size.max(1).saturating_mul(child_complexity)
}

/// A page of a list held whole in memory.
pub fn slice<T, N, E>(page: Page, all: Vec<T>) -> List<T, N, E>
where
    T: OutputType,
    N: ConnectionNameType,
    E: EdgeNameType,
{
    let total = all.len();
    let items = all.into_iter().skip(page.offset).take(page.limit).collect();
    connection(page, items, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::connection::CursorType;

    #[test]
    fn window_reads_first_and_after() {
        assert_eq!(
            window(None, None).unwrap(),
            Page {
                limit: 100,
                offset: 0
            }
        );
        let after = OpaqueCursor(4usize).encode_cursor();
        assert_eq!(
            window(Some(2), Some(&after)).unwrap(),
            Page { limit: 2, offset: 5 }
        );
        assert!(window(Some(-1), None).is_err());
        assert!(window(Some(1001), None).is_err());
        assert!(window(None, Some("not a cursor")).is_err());
    }

    #[test]
    fn cost_grows_with_the_page() {
        assert_eq!(cost(None, 3), 300);
        assert_eq!(cost(Some(0), 3), 3);
        assert_eq!(cost(Some(5000), 1), MAX_FIRST);
    }
}
