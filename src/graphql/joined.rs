//! Resolving an object's fields in one joined future instead of one task each.
//!
//! async-graphql resolves every object (`resolve_container`) by boxing one
//! future per selected field and running them in a `FuturesUnordered`, which
//! allocates a task per field, and then inserts each value into the object's
//! map, hashing its key twice. For the objects of a role page, whose fields
//! are nearly all already in memory, that bookkeeping is most of the cost of
//! a field (BENCHMARKS.md, "(f)").
//!
//! [`Joined`] wraps an `#[Object]` type and resolves the same fields with the
//! type's own generated `resolve_field`, but all in one `join_all`: the field
//! futures share one allocation (and the object one boxed future), are all started before any is awaited (so
//! loader reads of sibling fields still batch together), and the answer's map
//! is sized once and filled in selection order. The wrapped type keeps its
//! name, fields and registration, so the schema is the same with or without
//! it; a selection this path does not handle (custom field directives) goes
//! to async-graphql's own `resolve_container`.
//!
//! One thing it cannot do: async-graphql does not let other crates call the
//! per-field hook of schema extensions (`Extension::resolve`), so fields of a
//! `Joined` object would skip it. The schema has no extensions
//! (`build_schema`); one that needs per-field hooks (tracing, Apollo traces)
//! must come with `Joined` taken out.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::indexmap::map::Entry;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::{ContainerType, resolve_container};
use async_graphql::{ContextSelectionSet, Name, OutputType, Positioned, ServerResult, Value};
use futures_util::future::{BoxFuture, join_all};

/// An object resolved with all its selected fields in one joined future; the
/// schema sees `T` itself.
pub struct Joined<T>(pub T);

impl<T: ContainerType> OutputType for Joined<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        // Boxed (once per object): object types refer to each other (a role's
        // skills list their roles), and a future type cannot contain itself.
        let future: BoxFuture<'_, ServerResult<Value>> = Box::pin(resolve_joined(ctx, &self.0));
        future.await
    }
}

/// Wraps every object of `items`.
pub fn joined<T>(items: impl IntoIterator<Item = T>) -> Vec<Joined<T>> {
    items.into_iter().map(Joined).collect()
}

/// Resolves the fields `ctx` selects on `root` as `resolve_container` does,
/// in one joined future.
async fn resolve_joined<'a, T: ContainerType>(
    ctx: &ContextSelectionSet<'a>,
    root: &'a T,
) -> ServerResult<Value> {
    let mut fields = Vec::with_capacity(ctx.item.node.items.len());
    if !collect(ctx, root, &ctx.item.node, &mut fields) {
        return resolve_container(ctx, root).await;
    }
    let contexts: Vec<_> = fields.iter().map(|field| ctx.with_field(field)).collect();
    if let Some(first) = contexts.first().filter(|_| cfg!(debug_assertions)) {
        check_field_future_size::<T>(std::mem::size_of_val(&root.resolve_field(first)));
    }
    let values = join_all(contexts.iter().map(|ctx_field| async move {
        if ctx_field.item.node.name.node == "__typename" {
            let name = root.introspection_type_name().into_owned();
            return Ok(Some(Value::String(name)));
        }
        root.resolve_field(ctx_field).await
    }))
    .await;

    let mut map = IndexMap::with_capacity(values.len());
    for (field, value) in fields.iter().zip(values) {
        match value {
            Ok(value) => insert(
                &mut map,
                field.node.response_key().node.clone(),
                value.unwrap_or_default(),
            ),
            // As `resolve_container` does: the error is the answer's, the
            // field is left out.
            Err(e) => ctx.add_error(e),
        }
    }
    Ok(if map.is_empty() {
        Value::Null
    } else {
        Value::Object(map)
    })
}

/// Largest future of one field's `resolve_field` that debug builds accept.
///
/// Every selected field of an object holds a future of its type's
/// `resolve_field`, the size of its largest field's, until the whole object
/// is resolved. One resolver that awaited a large computation inline (the
/// story bank's coverage, 26 KB) once made each role hold 350 KB while it
/// resolved; the role page's types are at 176–640 bytes now.
pub const MAX_FIELD_FUTURE_BYTES: usize = 2048;

/// Panics in debug builds (the test suite) when `T`'s field futures are
/// larger than [`MAX_FIELD_FUTURE_BYTES`]: box the large await in the resolver
/// that makes them so (`Box::pin(..).await`).
fn check_field_future_size<T>(bytes: usize) {
    debug_assert!(
        bytes <= MAX_FIELD_FUTURE_BYTES,
        "a field future of {} is {bytes} bytes (at most {MAX_FIELD_FUTURE_BYTES}): \
         box the large await in one of its resolvers",
        std::any::type_name::<T>()
    );
}

/// Gathers the fields of `set` (following fragments that apply to `root`)
/// into `fields`; false when the set holds something only
/// `resolve_container` handles.
fn collect<'a, T: ContainerType>(
    ctx: &ContextSelectionSet<'a>,
    root: &T,
    set: &'a SelectionSet,
    fields: &mut Vec<&'a Positioned<Field>>,
) -> bool {
    for selection in &set.items {
        let (condition, inner) = match &selection.node {
            // `@skip` and `@include` are gone by now; any other directive
            // on a field is a custom one, which needs the general path.
            Selection::Field(field) if field.node.directives.is_empty() => {
                fields.push(field);
                continue;
            }
            Selection::Field(_) => return false,
            Selection::FragmentSpread(spread) => {
                let Some(fragment) = ctx.query_env.fragments.get(&spread.node.fragment_name.node)
                else {
                    return false;
                };
                (
                    Some(&fragment.node.type_condition.node.on.node),
                    &fragment.node.selection_set.node,
                )
            }
            Selection::InlineFragment(fragment) => (
                fragment
                    .node
                    .type_condition
                    .as_ref()
                    .map(|c| &c.node.on.node),
                &fragment.node.selection_set.node,
            ),
        };
        if condition.is_none_or(|on| applies(ctx, root, on)) && !collect(ctx, root, inner, fields) {
            return false;
        }
    }
    true
}

/// Whether a fragment on type `on` applies to `root`: its own type or an
/// interface it implements.
fn applies<T: ContainerType>(ctx: &ContextSelectionSet<'_>, root: &T, on: &str) -> bool {
    let own = root.introspection_type_name();
    own == on
        || ctx
            .schema_env
            .registry
            .implements
            .get(own.as_ref())
            .is_some_and(|interfaces| interfaces.contains(on))
}

/// Adds a field's value to an object, merging it into a value already there
/// under the same key (a field selected twice, e.g. through two fragments),
/// as async-graphql does; one hash per key.
fn insert(map: &mut IndexMap<Name, Value>, name: Name, value: Value) {
    match map.entry(name) {
        Entry::Vacant(slot) => {
            slot.insert(value);
        }
        Entry::Occupied(mut slot) => merge(slot.get_mut(), value),
    }
}

fn merge(target: &mut Value, value: Value) {
    match (target, value) {
        (Value::Object(target), Value::Object(value)) => {
            for (key, value) in value {
                insert(target, key, value);
            }
        }
        (Value::List(target), Value::List(value)) => {
            for (target, value) in target.iter_mut().zip(value) {
                if let (Value::Object(_), Value::Object(_)) = (&*target, &value) {
                    merge(target, value);
                }
            }
        }
        _ => {}
    }
}
