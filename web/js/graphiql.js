// GraphiQL on meshgraph's /graphql: the page GET /graphql serves
// (web/graphiql.html), after the vendored React and GraphiQL UMD builds,
// which define the globals used here. A classic script, not a module,
// because those builds are.
const fetcher = GraphiQL.createFetcher({ url: '/graphql' });
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true }),
);
