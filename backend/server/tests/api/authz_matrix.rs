//! The authorisation matrix: every operation of the OpenAPI document × every kind of actor,
//! on their own objects and on someone else's. The expected outcome of each cell is written
//! down below; an operation without a row fails `every_operation_has_an_authz_entry`, so a
//! new endpoint cannot ship without someone deciding who may call it.
//!
//! Objects: one published tool that the seeded contributor maintains (`Tool`), versions of it
//! in each lifecycle state, one finished run per actor with an artifact and a next action
//! (`OwnRun`), and a run of a stranger (`OtherRun`). Rows run in table order and, within a
//! row, in actor order; where an earlier call changes the state (the maintainer submits a
//! draft, so the admin's submit is a `409`), the row says so.

use crate::support::{PASSWORD, TestApp, each_backend};
use axum::body::Body;
use axum::http::{Method, Request, header};
use serde_json::{Value, json};
use skriptoteket_domain::Role;
use skriptoteket_domain::batch::NewBatch;
use skriptoteket_domain::run::{NewRun, RunContext};
use std::collections::{BTreeSet, HashMap};

/// Who calls. `Maintainer` is the seeded contributor, who maintains `Tool`; `Contributor`
/// is a second contributor who does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Actor {
    Anonymous,
    User,
    Maintainer,
    Contributor,
    Admin,
    Superuser,
}

const ACTORS: [Actor; 6] =
    [Actor::Anonymous, Actor::User, Actor::Maintainer, Actor::Contributor, Actor::Admin, Actor::Superuser];

/// What the path's `{id}` (and `{artifact_id}`, `{user_id}`) stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    Nothing,
    /// The published tool (its slug for `/api/tools/{slug}`, its id for `/api/admin/tools/{id}`).
    Tool,
    /// A contributor who is a maintainer of `Tool` again before every call.
    SpareMaintainer,
    ActiveVersion,
    ArchivedVersion,
    /// A draft that stays a draft (saves are stale and refused).
    Draft,
    ToSubmit,
    ToPublish,
    ToSendBack,
    /// The caller's own finished run (anonymous: the stranger's), with its artifact.
    OwnRun,
    /// A stranger's finished run, with its artifact.
    OtherRun,
    /// The caller's own class-mode batch (anonymous: the stranger's).
    OwnBatch,
    /// A stranger's batch.
    OtherBatch,
    UserAccount,
    SuperuserAccount,
}

enum Send {
    Empty,
    Json(Value),
    /// An empty multipart run form.
    Form,
}

struct Row {
    method: Method,
    path: &'static str,
    target: Target,
    send: Send,
    /// Statuses for anonymous, user, maintainer, contributor (not maintainer), admin, superuser.
    expect: [u16; 6],
}

fn row(method: Method, path: &'static str, target: Target, send: Send, expect: [u16; 6]) -> Row {
    Row { method, path, target, send, expect }
}

/// Routes outside the OpenAPI document that the matrix also covers.
const NOT_IN_OPENAPI: [&str; 2] = ["/api/openapi.json", "/api/docs/"];

#[rustfmt::skip]
fn table() -> Vec<Row> {
    use Method as M;
    use Send::{Empty, Form, Json};
    use Target::*;
    vec![
        //                                                                                       anon user main contr admin super
        // Open to everyone.
        row(M::GET,    "/api/health",                                 Nothing, Empty,             [200, 200, 200, 200, 200, 200]),
        row(M::GET,    "/api/ready",                                  Nothing, Empty,             [200, 200, 200, 200, 200, 200]),
        row(M::GET,    "/metrics",                                    Nothing, Empty,             [200, 200, 200, 200, 200, 200]),
        row(M::GET,    "/api/openapi.json",                           Nothing, Empty,             [200, 200, 200, 200, 200, 200]),
        row(M::GET,    "/api/docs/",                                  Nothing, Empty,             [200, 200, 200, 200, 200, 200]),
        row(M::POST,   "/api/auth/login",                             Nothing, Json(json!({ "email": "user@skola.se", "password": PASSWORD })),
                                                                                                  [200, 200, 200, 200, 200, 200]),
        row(M::POST,   "/api/auth/logout",                            Nothing, Empty,             [204, 204, 204, 204, 204, 204]),
        // Every signed-in user.
        row(M::GET,    "/api/auth/me",                                Nothing, Empty,             [401, 200, 200, 200, 200, 200]),
        row(M::PATCH,  "/api/auth/me",                                Nothing, Json(json!({ "display_name": "Nytt namn" })), [401, 200, 200, 200, 200, 200]),
        row(M::GET,    "/api/tools",                                  Nothing, Empty,             [401, 200, 200, 200, 200, 200]),
        row(M::GET,    "/api/categories",                             Nothing, Empty,             [401, 200, 200, 200, 200, 200]),
        row(M::GET,    "/api/professions",                            Nothing, Empty,             [401, 200, 200, 200, 200, 200]),
        row(M::GET,    "/api/tools/{slug}",                           Tool,    Empty,             [401, 200, 200, 200, 200, 200]),
        row(M::GET,    "/api/tools/{slug}/settings",                  Tool,    Empty,             [401, 200, 200, 200, 200, 200]),
        row(M::PUT,    "/api/tools/{slug}/settings",                  Tool,    Json(json!({ "values": { "skala": "A-F" } })),
                                                                                                  [401, 200, 200, 200, 200, 200]),
        row(M::POST,   "/api/tools/{slug}/run",                       Tool,    Form,              [401, 202, 202, 202, 202, 202]),
        row(M::PUT,    "/api/tools/{slug}/usage-instructions/seen",   Tool,    Empty,             [401, 204, 204, 204, 204, 204]),
        row(M::PUT,    "/api/tools/{slug}/favorite",                  Tool,    Empty,             [401, 204, 204, 204, 204, 204]),
        row(M::DELETE, "/api/tools/{slug}/favorite",                  Tool,    Empty,             [401, 204, 204, 204, 204, 204]),
        row(M::GET,    "/api/runs",                                   Nothing, Empty,             [401, 200, 200, 200, 200, 200]),
        // Runs: the owner and admins; to anyone else someone else's run does not exist.
        row(M::GET,    "/api/runs/{id}",                              OwnRun,   Empty,            [401, 200, 200, 200, 200, 200]),
        row(M::GET,    "/api/runs/{id}",                              OtherRun, Empty,            [401, 404, 404, 404, 200, 200]),
        row(M::GET,    "/api/runs/{id}/events",                       OwnRun,   Empty,            [401, 200, 200, 200, 200, 200]),
        row(M::GET,    "/api/runs/{id}/events",                       OtherRun, Empty,            [401, 404, 404, 404, 200, 200]),
        row(M::GET,    "/api/runs/{id}/artifacts/{artifact_id}",      OwnRun,   Empty,            [401, 200, 200, 200, 200, 200]),
        row(M::GET,    "/api/runs/{id}/artifacts/{artifact_id}",      OtherRun, Empty,            [401, 404, 404, 404, 200, 200]),
        row(M::POST,   "/api/runs/{id}/cancel",                       OwnRun,   Empty,            [401, 200, 200, 200, 200, 200]),
        row(M::POST,   "/api/runs/{id}/cancel",                       OtherRun, Empty,            [401, 404, 404, 404, 200, 200]),
        // Next actions are the owner's alone, admins included.
        row(M::POST,   "/api/runs/{id}/actions",                      OwnRun,   Json(json!({ "action_id": "next", "input": {} })),
                                                                                                  [401, 202, 202, 202, 202, 202]),
        row(M::POST,   "/api/runs/{id}/actions",                      OtherRun, Json(json!({ "action_id": "next", "input": {} })),
                                                                                                  [401, 404, 404, 404, 404, 404]),
        // Running again is the owner's alone too: an admin may look at a run, not repeat it.
        row(M::POST,   "/api/runs/{id}/rerun",                        OwnRun,   Empty,            [401, 202, 202, 202, 202, 202]),
        row(M::POST,   "/api/runs/{id}/rerun",                        OtherRun, Empty,            [401, 404, 404, 404, 404, 404]),
        // Class mode: the tool takes no files, so a signed-in caller gets as far as the form (422).
        row(M::POST,   "/api/tools/{slug}/batch",                     Tool,    Form,              [401, 422, 422, 422, 422, 422]),
        row(M::GET,    "/api/batches/{id}",                           OwnBatch,   Empty,          [401, 200, 200, 200, 200, 200]),
        row(M::GET,    "/api/batches/{id}",                           OtherBatch, Empty,          [401, 404, 404, 404, 200, 200]),
        row(M::GET,    "/api/batches/{id}/artifacts.zip",             OwnBatch,   Empty,          [401, 200, 200, 200, 200, 200]),
        row(M::GET,    "/api/batches/{id}/artifacts.zip",             OtherBatch, Empty,          [401, 404, 404, 404, 200, 200]),
        row(M::POST,   "/api/batches/{id}/cancel",                    OwnBatch,   Empty,          [401, 200, 200, 200, 200, 200]),
        row(M::POST,   "/api/batches/{id}/cancel",                    OtherBatch, Empty,          [401, 404, 404, 404, 200, 200]),
        // My data: every signed-in user, each their own.
        row(M::GET,    "/api/me/export",                              Nothing, Empty,             [401, 200, 200, 200, 200, 200]),
        // Authoring: contributors and up; a tool's own endpoints for its maintainers and admins.
        row(M::GET,    "/api/my-tools",                               Nothing, Empty,             [401, 403, 200, 200, 200, 200]),
        row(M::POST,   "/api/admin/tools",                            Nothing, Json(json!({ "title": "Nytt verktyg" })),
                                                                                                  [401, 403, 201, 201, 201, 201]),
        row(M::GET,    "/api/admin/tools/{id}",                       Tool,    Empty,             [401, 403, 200, 403, 200, 200]),
        row(M::GET,    "/api/admin/tools/{id}/export",                Tool,    Empty,             [401, 403, 200, 403, 200, 200]),
        // An empty bundle: admins get as far as its checks (422), everyone else not that far.
        row(M::POST,   "/api/admin/tools/import",                     Nothing, Json(json!({ "format": "skriptoteket.tool-bundle", "format_version": 1, "slug": "", "title": "", "source": "" })),
                                                                                                  [401, 403, 403, 403, 422, 422]),
        row(M::PATCH,  "/api/admin/tools/{id}",                       Tool,    Json(json!({ "summary": "Ett testverktyg" })),
                                                                                                  [401, 403, 200, 403, 200, 200]),
        row(M::GET,    "/api/admin/tools/{id}/events",                Tool,    Empty,             [401, 403, 200, 403, 200, 200]),
        row(M::GET,    "/api/admin/tools/{id}/maintainers",           Tool,    Empty,             [401, 403, 200, 403, 200, 200]),
        row(M::POST,   "/api/admin/tools/{id}/maintainers",           Tool,    Json(json!({ "email": "spare@skola.se" })),
                                                                                                  [401, 403, 200, 403, 200, 200]),
        row(M::DELETE, "/api/admin/tools/{id}/maintainers/{user_id}", SpareMaintainer, Empty,     [401, 403, 204, 403, 204, 204]),
        row(M::POST,   "/api/admin/tools/{id}/versions",              Tool,    Json(json!({})),   [401, 403, 201, 403, 201, 201]),
        row(M::GET,    "/api/admin/tool-versions/{id}",               ActiveVersion, Empty,       [401, 403, 200, 403, 200, 200]),
        // A stale revision: whoever may edit gets 412, proving the call got past authorisation.
        row(M::PUT,    "/api/admin/tool-versions/{id}",               Draft,   Json(json!({ "source": "x = 1", "expected_revision": 999_999 })),
                                                                                                  [401, 403, 412, 403, 412, 412]),
        row(M::GET,    "/api/admin/tool-versions/{id}/settings",      ActiveVersion, Empty,       [401, 403, 200, 403, 200, 200]),
        row(M::PUT,    "/api/admin/tool-versions/{id}/settings",      ActiveVersion, Json(json!({ "values": {} })),
                                                                                                  [401, 403, 200, 403, 200, 200]),
        row(M::POST,   "/api/admin/tool-versions/{id}/run-sandbox",   Draft,   Form,              [401, 403, 202, 403, 202, 202]),
        // The maintainer submits first, so the admin and superuser find it in review (409).
        row(M::POST,   "/api/admin/tool-versions/{id}/submit-review", ToSubmit, Empty,            [401, 403, 200, 403, 409, 409]),
        // Review decisions are the admins'; the admin acts first, so the superuser gets 409.
        row(M::POST,   "/api/admin/tool-versions/{id}/publish",       ToPublish, Empty,           [401, 403, 403, 403, 200, 409]),
        row(M::POST,   "/api/admin/tool-versions/{id}/request-changes", ToSendBack, Json(json!({ "message": "Byt rubrik" })),
                                                                                                  [401, 403, 403, 403, 200, 409]),
        row(M::POST,   "/api/admin/tool-versions/{id}/rollback",      ArchivedVersion, Empty,     [401, 403, 403, 403, 200, 200]),
        row(M::GET,    "/api/admin/reviews",                          Nothing, Empty,             [401, 403, 403, 403, 200, 200]),
        // Accounts: admins and up; only superusers manage superusers.
        row(M::GET,    "/api/admin/users",                            Nothing, Empty,             [401, 403, 403, 403, 200, 200]),
        row(M::POST,   "/api/admin/users",                            Nothing, Json(json!({ "email": "user@skola.se", "display_name": "Dubblett", "role": "user", "password": PASSWORD })),
                                                                                                  [401, 403, 403, 403, 409, 409]),
        row(M::GET,    "/api/admin/users/{id}",                       UserAccount, Empty,         [401, 403, 403, 403, 200, 200]),
        row(M::PATCH,  "/api/admin/users/{id}",                       UserAccount, Json(json!({ "display_name": "The user" })),
                                                                                                  [401, 403, 403, 403, 200, 200]),
        row(M::PATCH,  "/api/admin/users/{id}",                       SuperuserAccount, Json(json!({ "display_name": "The superuser" })),
                                                                                                  [401, 403, 403, 403, 403, 200]),
        // A person's data (admins); the superuser would be erasing themselves (409).
        row(M::GET,    "/api/admin/users/{id}/export",                UserAccount, Empty,         [401, 403, 403, 403, 200, 200]),
        row(M::GET,    "/api/admin/privacy-events",                   Nothing, Empty,             [401, 403, 403, 403, 200, 200]),
        row(M::DELETE, "/api/admin/users/{id}",                       SuperuserAccount, Empty,    [401, 403, 403, 403, 403, 409]),
        // Erasing last, as it removes the runs and batches the rows above use.
        row(M::DELETE, "/api/admin/users/{id}/runs",                  UserAccount, Empty,         [401, 403, 403, 403, 200, 200]),
        row(M::DELETE, "/api/me/runs",                                Nothing, Empty,             [401, 200, 200, 200, 200, 200]),
    ]
}

/// `(METHOD, path)` of every operation in the OpenAPI document.
fn documented_operations() -> BTreeSet<(String, String)> {
    let doc = serde_json::to_value(skriptoteket_server::api::openapi()).unwrap();
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            out.insert((method.to_uppercase(), path.clone()));
        }
    }
    out
}

#[test]
fn every_operation_has_an_authz_entry() {
    let rows: BTreeSet<(String, String)> = table().iter().map(|r| (r.method.to_string(), r.path.to_owned())).collect();
    let documented = documented_operations();
    let missing: Vec<String> =
        documented.difference(&rows).map(|(m, p)| format!("new endpoint without an authz entry: {m} {p}")).collect();
    let stale: Vec<String> = rows
        .difference(&documented)
        .filter(|(_, p)| !NOT_IN_OPENAPI.contains(&p.as_str()))
        .map(|(m, p)| format!("authz entry for an endpoint that no longer exists: {m} {p}"))
        .collect();
    assert!(missing.is_empty() && stale.is_empty(), "\n{}\n", [missing, stale].concat().join("\n"));
}

/// The objects the table's targets name, created once per backend.
struct World {
    tokens: HashMap<Actor, String>,
    tool_id: String,
    slug: String,
    versions: HashMap<Target, String>,
    /// Each actor's own run and its artifact; the stranger's under `Actor::Anonymous`.
    runs: HashMap<Actor, (String, String)>,
    stranger: (String, String),
    /// Each actor's own batch; the stranger's under `Actor::Anonymous`.
    batches: HashMap<Actor, String>,
    spare_id: String,
    user_id: String,
    superuser_id: String,
}

/// FakeRunner directives (valid Python for the syntax check): a next action and an artifact.
const SOURCE: &str = "offer_action = write_artifact = 1\n";

async fn create_account(app: &TestApp, admin: &str, email: &str, role: &str) -> (String, String) {
    let body = json!({ "email": email, "display_name": email, "role": role, "password": PASSWORD });
    let created = app.call(Method::POST, "/api/admin/users", Some(admin), Some(body)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let login = app.login(email, PASSWORD).await;
    (created.body["id"].as_str().unwrap().to_owned(), login.body["access_token"].as_str().unwrap().to_owned())
}

async fn post(app: &TestApp, token: &str, path: &str, body: Option<Value>) -> Value {
    let reply = app.call(Method::POST, path, Some(token), body).await;
    assert!(reply.status.is_success(), "POST {path}: {}", reply.body);
    reply.body
}

/// A finished run of `slug` by `token`, and the id of its artifact.
async fn finished_run(app: &TestApp, token: &str, slug: &str) -> (String, String) {
    let reply = app.post_form(&format!("/api/tools/{slug}/run"), token, &[], &[("prefer", "wait=10")]).await;
    assert_eq!(reply.body["status"], "succeeded", "{}", reply.body);
    let artifact = reply.body["artifacts"][0]["id"].as_str().expect("the fake's artifact").to_owned();
    (reply.body["id"].as_str().unwrap().to_owned(), artifact)
}

/// A one-item batch of the caller's, queued straight into the store (the matrix tool takes
/// no files, so the API would refuse it; the endpoints under test are the batch's own).
async fn batch_of(app: &TestApp, token: &str, version: &str) -> String {
    let me = app.call(Method::GET, "/api/auth/me", Some(token), None).await;
    let user = me.body["user"]["id"].as_str().unwrap().parse().unwrap();
    let version = app.state.store.version_by_id(version.parse().unwrap()).await.unwrap().unwrap();
    let batch = uuid::Uuid::now_v7();
    let run = NewRun {
        id: uuid::Uuid::now_v7(),
        tool_id: version.tool_id,
        version_id: version.id,
        context: RunContext::Production,
        user_id: user,
        inputs: json!({}),
        files: vec![],
        settings: json!({}),
        action: None,
        parent_run_id: None,
        source_override: None,
        timeout_seconds: 60,
        request_id: None,
        files_from: None,
        batch_id: Some(batch),
    };
    let new = NewBatch { id: batch, tool_id: version.tool_id, user_id: user, context: RunContext::Production };
    app.state.store.enqueue_batch(new, vec![run], 1000).await.unwrap().unwrap().id.to_string()
}

async fn build_world(app: &TestApp) -> World {
    let admin = app.token(Role::Admin).await;
    let maintainer = app.token(Role::Contributor).await;
    let (_, contributor) = create_account(app, &admin, "c2@skola.se", "contributor").await;
    let (spare_id, _) = create_account(app, &admin, "spare@skola.se", "contributor").await;
    let (_, stranger) = create_account(app, &admin, "stranger@skola.se", "user").await;
    let settings = json!({ "fields": [{ "name": "skala", "kind": "string", "label": "Skala" }] });
    let (tool_id, slug, archived) = app.publish_tool("matris", SOURCE, Value::Null, settings).await;

    // v2 becomes active (v1 archived); then a draft, one to submit, and two in review.
    let new_version = |token: String| {
        let path = format!("/api/admin/tools/{tool_id}/versions");
        async move { post(app, &token, &path, Some(json!({}))).await["id"].as_str().unwrap().to_owned() }
    };
    let at = |v: &str, what: &str| format!("/api/admin/tool-versions/{v}/{what}");
    let active = new_version(maintainer.clone()).await;
    post(app, &maintainer, &at(&active, "submit-review"), None).await;
    post(app, &admin, &at(&active, "publish"), None).await;
    let draft = new_version(maintainer.clone()).await;
    let to_submit = new_version(maintainer.clone()).await;
    let to_publish = new_version(maintainer.clone()).await;
    post(app, &maintainer, &at(&to_publish, "submit-review"), None).await;
    let to_send_back = new_version(maintainer.clone()).await;
    post(app, &maintainer, &at(&to_send_back, "submit-review"), None).await;
    let versions = HashMap::from([
        (Target::ActiveVersion, active),
        (Target::ArchivedVersion, archived),
        (Target::Draft, draft),
        (Target::ToSubmit, to_submit),
        (Target::ToPublish, to_publish),
        (Target::ToSendBack, to_send_back),
    ]);

    let mut tokens = HashMap::from([
        (Actor::User, app.token(Role::User).await),
        (Actor::Maintainer, maintainer),
        (Actor::Contributor, contributor),
        (Actor::Admin, admin),
        (Actor::Superuser, app.token(Role::Superuser).await),
    ]);
    let stranger_run = finished_run(app, &stranger, &slug).await;
    let mut runs = HashMap::from([(Actor::Anonymous, stranger_run.clone())]);
    let mut batches =
        HashMap::from([(Actor::Anonymous, batch_of(app, &stranger, &versions[&Target::ActiveVersion]).await)]);
    for (actor, token) in &tokens {
        runs.insert(*actor, finished_run(app, token, &slug).await);
        batches.insert(*actor, batch_of(app, token, &versions[&Target::ActiveVersion]).await);
    }
    tokens.insert(Actor::Anonymous, String::new());
    World {
        tokens,
        tool_id,
        slug,
        versions,
        runs,
        stranger: stranger_run,
        batches,
        spare_id,
        user_id: app.user(Role::User).await.id.to_string(),
        superuser_id: app.user(Role::Superuser).await.id.to_string(),
    }
}

impl World {
    /// The concrete path of `row` for `actor`.
    fn path(&self, row: &Row, actor: Actor) -> String {
        let (id, artifact): (&str, &str) = match row.target {
            Target::Nothing => ("", ""),
            Target::Tool if row.path.contains("{slug}") => (&self.slug, ""),
            Target::Tool | Target::SpareMaintainer => (&self.tool_id, ""),
            Target::OwnRun => (&self.runs[&actor].0, &self.runs[&actor].1),
            Target::OtherRun => (&self.stranger.0, &self.stranger.1),
            Target::OwnBatch => (&self.batches[&actor], ""),
            Target::OtherBatch => (&self.batches[&Actor::Anonymous], ""),
            Target::UserAccount => (&self.user_id, ""),
            Target::SuperuserAccount => (&self.superuser_id, ""),
            version => (&self.versions[&version], ""),
        };
        row.path
            .replace("{slug}", id)
            .replace("{id}", id)
            .replace("{artifact_id}", artifact)
            .replace("{user_id}", &self.spare_id)
    }
}

fn request(row: &Row, path: &str, token: &str) -> Request<Body> {
    let mut builder = Request::builder().method(row.method.clone()).uri(path);
    if !token.is_empty() {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    match &row.send {
        Send::Empty => builder.body(Body::empty()),
        Send::Json(value) => {
            builder.header(header::CONTENT_TYPE, "application/json").body(Body::from(value.to_string()))
        }
        Send::Form => {
            let (content_type, body) = crate::support::multipart(&[]);
            builder.header(header::CONTENT_TYPE, content_type).body(Body::from(body))
        }
    }
    .unwrap()
}

#[tokio::test]
async fn every_actor_gets_the_expected_status_on_every_operation() {
    each_backend(|app| async move {
        let world = build_world(&app).await;
        let mut wrong = Vec::new();
        for row in table() {
            for (actor, expected) in ACTORS.into_iter().zip(row.expect) {
                if row.target == Target::SpareMaintainer {
                    let (tool, spare) = (world.tool_id.parse().unwrap(), world.spare_id.parse().unwrap());
                    app.state.store.add_maintainer(tool, spare).await.unwrap();
                }
                let path = world.path(&row, actor);
                let reply = app.send(request(&row, &path, &world.tokens[&actor])).await;
                let status = reply.status.as_u16();
                if status != expected {
                    wrong.push(format!(
                        "{} {} ({:?}) as {actor:?}: expected {expected}, got {status}: {}",
                        row.method, row.path, row.target, reply.body
                    ));
                } else if status >= 400 && reply.content_type() != "application/problem+json" {
                    wrong.push(format!("{} {} as {actor:?}: {status} is not a problem", row.method, row.path));
                }
            }
        }
        assert!(wrong.is_empty(), "{:?}: {} cells differ:\n{}", app.backend, wrong.len(), wrong.join("\n"));
    })
    .await;
}
