//! A fake Telegram Bot API on 127.0.0.1: enough of getMe, getUpdates (long polling with
//! offsets), sendMessage, sendPhoto and editMessageMedia (multipart uploads or file
//! ids) and the menu methods for the real dispatcher to run against.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::sync::Notify;

pub const BOT_USERNAME: &str = "qantar_test_bot";
pub const BOT_ID: i64 = 777000;

/// One call the bot made: method (lower-cased) and JSON body.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub body: Value,
    /// True when the fake answered with an injected fault instead of doing the call:
    /// such a sendMessage delivered nothing.
    pub faulted: bool,
    pub at: Instant,
}

/// What the fake does instead of answering normally.
#[derive(Debug, Clone)]
pub enum Fault {
    /// An HTTP status with a Bot API error body.
    Status(u16, Value),
    /// Cuts the connection in the middle of the response.
    Drop,
    /// Answers normally, but only after this long (past the bot's timeout, say).
    Delay(Duration),
}

impl Fault {
    pub fn retry_after(seconds: u64) -> Fault {
        Fault::Status(
            429,
            json!({"ok": false, "error_code": 429,
                   "description": format!("Too Many Requests: retry after {seconds}"),
                   "parameters": {"retry_after": seconds}}),
        )
    }

    pub fn blocked() -> Fault {
        Fault::Status(
            403,
            json!({"ok": false, "error_code": 403,
                   "description": "Forbidden: bot was blocked by the user"}),
        )
    }

    pub fn server_error() -> Fault {
        Fault::Status(
            502,
            json!({"ok": false, "error_code": 502, "description": "Bad Gateway"}),
        )
    }
}

struct Armed {
    method: String,
    /// Only calls for this chat, when set.
    chat: Option<i64>,
    /// How many more calls it hits.
    times: usize,
    fault: Fault,
}

#[derive(Default)]
struct Inner {
    pending: VecDeque<Value>,
    next_update_id: i64,
    next_message_id: i64,
    calls: Vec<Call>,
    faults: Vec<Armed>,
    /// (chat, message id) of every sendMessage and sendPhoto, in order.
    sent_ids: Vec<(i64, i64)>,
    /// Users getChatMember calls an administrator (of any chat); everyone else is a member.
    chat_admins: HashSet<i64>,
    /// Chats where the bot is a plain member, not an administrator allowed to post
    /// (elsewhere getChatMember calls the bot one).
    no_post: HashSet<i64>,
    /// File ids handed out for uploaded photos.
    next_file: i64,
}

#[derive(Clone)]
pub struct FakeApi {
    token: String,
    inner: Arc<Mutex<Inner>>,
    updates: Arc<Notify>,
    calls: Arc<Notify>,
    pub url: String,
}

/// Who writes, and where.
#[derive(Debug, Clone)]
pub struct From {
    pub user_id: i64,
    pub language_code: Option<&'static str>,
}

impl From {
    fn json(&self) -> Value {
        let mut user = json!({"id": self.user_id, "is_bot": false, "first_name": "Reader"});
        if let Some(code) = self.language_code {
            user["language_code"] = json!(code);
        }
        user
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Chat {
    Private(i64),
    Group(i64),
}

impl Chat {
    pub fn id(self) -> i64 {
        match self {
            Chat::Private(id) | Chat::Group(id) => id,
        }
    }

    fn json(self) -> Value {
        match self {
            Chat::Private(id) => json!({"id": id, "type": "private", "first_name": "Reader"}),
            Chat::Group(id) => json!({"id": id, "type": "supergroup", "title": "Readers"}),
        }
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl FakeApi {
    pub async fn start(token: &str) -> FakeApi {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let api = FakeApi {
            token: token.to_string(),
            inner: Arc::new(Mutex::new(Inner {
                next_update_id: 1,
                next_message_id: 1,
                ..Inner::default()
            })),
            updates: Arc::new(Notify::new()),
            calls: Arc::new(Notify::new()),
            url: format!("http://{addr}"),
        };
        let app = Router::new()
            .route("/{token}/{method}", post(handle))
            .with_state(api.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        api
    }

    fn push(&self, kind: &str, payload: Value) {
        let mut inner = self.inner.lock().unwrap();
        let update_id = inner.next_update_id;
        inner.next_update_id += 1;
        let mut update = json!({"update_id": update_id});
        update[kind] = payload;
        inner.pending.push_back(update);
        drop(inner);
        self.updates.notify_waiters();
    }

    fn next_message_id(&self) -> i64 {
        let mut inner = self.inner.lock().unwrap();
        inner.next_message_id += 1;
        inner.next_message_id
    }

    /// Queues a text message as Telegram would deliver it through getUpdates.
    pub fn send_text(&self, chat: Chat, from: &From, text: &str) {
        let message_id = self.next_message_id();
        let mut message = json!({
            "message_id": message_id,
            "date": now(),
            "chat": chat.json(),
            "from": from.json(),
            "text": text,
        });
        if text.starts_with('/') {
            let len = text
                .split_whitespace()
                .next()
                .unwrap_or("")
                .encode_utf16()
                .count();
            message["entities"] = json!([{"type": "bot_command", "offset": 0, "length": len}]);
        }
        self.push("message", message);
    }

    /// Queues a press on a button of the bot's message `message_id` in `chat`.
    pub fn press(&self, chat: Chat, from: &From, message_id: i64, data: &str) -> String {
        self.press_on(chat, from, message_id, data, false)
    }

    /// Queues a press on a button under a photo (the map) the bot sent.
    pub fn press_photo(&self, chat: Chat, from: &From, message_id: i64, data: &str) -> String {
        self.press_on(chat, from, message_id, data, true)
    }

    fn press_on(
        &self,
        chat: Chat,
        from: &From,
        message_id: i64,
        data: &str,
        photo: bool,
    ) -> String {
        let id = format!("cb{}", self.next_message_id());
        let mut message = json!({
            "message_id": message_id,
            "date": now(),
            "chat": chat.json(),
            "from": {"id": BOT_ID, "is_bot": true, "first_name": "Qantar", "username": BOT_USERNAME},
        });
        if photo {
            message["photo"] = photo_sizes("photo-earlier");
            message["caption"] = json!("…");
        } else {
            message["text"] = json!("…");
        }
        self.push(
            "callback_query",
            json!({"id": id, "from": from.json(), "message": message,
                   "chat_instance": "ci", "data": data}),
        );
        id
    }

    /// Queues an inline query `@bot <query>`.
    pub fn inline_query(&self, from: &From, query: &str) -> String {
        let id = format!("iq{}", self.next_message_id());
        self.push(
            "inline_query",
            json!({"id": id, "from": from.json(), "query": query, "offset": ""}),
        );
        id
    }

    /// The message id the fake gave the bot's `n`-th message to `chat`.
    pub fn sent_message_id(&self, chat: i64, n: usize) -> i64 {
        let inner = self.inner.lock().unwrap();
        inner
            .sent_ids
            .iter()
            .filter(|(c, _)| *c == chat)
            .nth(n)
            .map(|(_, id)| *id)
            .expect("that message was sent")
    }

    /// Makes the next `times` calls of `method` (for `chat`, if given) fail with `fault`.
    pub fn inject(&self, method: &str, chat: Option<i64>, times: usize, fault: Fault) {
        self.inner.lock().unwrap().faults.push(Armed {
            method: method.to_ascii_lowercase(),
            chat,
            times,
            fault,
        });
    }

    /// From now on getChatMember answers `administrator` for these users, in any chat.
    /// Makes the bot a plain member of `chat`: it may not post there.
    pub fn deny_posting(&self, chat: i64) {
        self.inner.lock().unwrap().no_post.insert(chat);
    }

    pub fn set_chat_admins(&self, users: &[i64]) {
        self.inner.lock().unwrap().chat_admins = users.iter().copied().collect();
    }

    /// sendMessage calls that really delivered a message to `chat`.
    pub fn delivered_to(&self, chat: i64) -> Vec<Call> {
        self.sent_to(chat)
            .into_iter()
            .filter(|c| !c.faulted)
            .collect()
    }

    /// Numbers the next update `next`, as Telegram does (at random) after a week without
    /// updates. An offset from the old numbering, above every id of the new one, then
    /// confirms nothing: Telegram hands out the new updates below it (as seen in
    /// go-telegram-bot-api issue 156).
    pub fn renumber_updates(&self, next: i64) {
        self.inner.lock().unwrap().next_update_id = next;
    }

    /// The offset the bot has confirmed: every update below it is gone from Telegram.
    pub fn pending_update_ids(&self) -> Vec<i64> {
        self.inner
            .lock()
            .unwrap()
            .pending
            .iter()
            .filter_map(|u| u["update_id"].as_i64())
            .collect()
    }

    pub fn calls(&self, method: &str) -> Vec<Call> {
        let method = method.to_ascii_lowercase();
        let inner = self.inner.lock().unwrap();
        inner
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// Messages sent to one chat, in order: texts and photos (whose caption is their
    /// text).
    pub fn sent_to(&self, chat: i64) -> Vec<Call> {
        self.messages_sent()
            .into_iter()
            .filter(|c| c.body["chat_id"].as_i64() == Some(chat))
            .collect()
    }

    /// Messages sent to a channel by its `@username` (chat_id sent as a string).
    pub fn sent_to_name(&self, name: &str) -> Vec<Call> {
        self.messages_sent()
            .into_iter()
            .filter(|c| c.body["chat_id"].as_str() == Some(name))
            .collect()
    }

    /// Every sendMessage and sendPhoto, in order.
    fn messages_sent(&self) -> Vec<Call> {
        let inner = self.inner.lock().unwrap();
        inner
            .calls
            .iter()
            .filter(|c| c.method == "sendmessage" || c.method == "sendphoto")
            .cloned()
            .collect()
    }

    /// Waits until `chat` has received at least `n` messages; returns them all.
    pub async fn wait_sent(&self, chat: i64, n: usize) -> Vec<Call> {
        self.wait_until(|api| {
            let sent = api.sent_to(chat);
            (sent.len() >= n).then_some(sent)
        })
        .await
        .unwrap_or_else(|| {
            panic!(
                "chat {chat}: expected {n} messages, got {:?}",
                self.sent_to(chat)
                    .iter()
                    .map(|c| c.body["text"].clone())
                    .collect::<Vec<_>>()
            )
        })
    }

    /// Polls a condition over the recorded calls for up to 20 s.
    pub async fn wait_until<T>(&self, f: impl FnMut(&FakeApi) -> Option<T>) -> Option<T> {
        self.wait_up_to(Duration::from_secs(20), f).await
    }

    /// Polls a condition over the recorded calls for up to `limit`.
    pub async fn wait_up_to<T>(
        &self,
        limit: Duration,
        mut f: impl FnMut(&FakeApi) -> Option<T>,
    ) -> Option<T> {
        let deadline = Instant::now() + limit;
        loop {
            let notified = self.calls.notified();
            if let Some(v) = f(self) {
                return Some(v);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            let _ = tokio::time::timeout(left.min(Duration::from_millis(200)), notified).await;
        }
    }

    /// True once the bot has taken every queued update and asked for more.
    #[allow(dead_code)]
    pub fn drained(&self) -> bool {
        self.inner.lock().unwrap().pending.is_empty()
    }
}

fn ok(result: Value) -> Response {
    (
        StatusCode::OK,
        axum::Json(json!({"ok": true, "result": result})),
    )
        .into_response()
}

fn error(status: u16, description: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (
        code,
        axum::Json(json!({"ok": false, "error_code": status, "description": description})),
    )
        .into_response()
}

/// Bodies are JSON, except methods that may upload a file (setWebhook), which teloxide
/// sends as multipart/form-data; their text fields become a JSON object.
fn parse_body(headers: &axum::http::HeaderMap, body: &[u8]) -> Value {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(boundary) = content_type.split("boundary=").nth(1) else {
        return serde_json::from_slice(body).unwrap_or(Value::Null);
    };
    let text = String::from_utf8_lossy(body);
    let mut fields = serde_json::Map::new();
    for part in text.split(&format!("--{boundary}")) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let Some(name) = head
            .split("name=\"")
            .nth(1)
            .and_then(|n| n.split('"').next())
        else {
            continue;
        };
        let value = value.strip_suffix("\r\n").unwrap_or(value);
        if head.contains("filename=") {
            // A file: what matters is that it was uploaded, and its size.
            fields.insert(
                name.to_string(),
                json!({"upload": true, "bytes": value.len()}),
            );
            continue;
        }
        let parsed = serde_json::from_str(value).unwrap_or_else(|_| Value::from(value));
        fields.insert(name.to_string(), parsed);
    }
    Value::Object(fields)
}

async fn handle(
    State(api): State<FakeApi>,
    Path((token, method)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    if token.strip_prefix("bot") != Some(api.token.as_str()) {
        return error(401, "Unauthorized");
    }
    // Telegram treats method names case-insensitively; teloxide sends PascalCase.
    let method = method.to_ascii_lowercase();
    let body = parse_body(&headers, &body);
    let mut assigned_id = 0;
    let fault = {
        let mut inner = api.inner.lock().unwrap();
        let chat = body["chat_id"].as_i64();
        let armed = inner
            .faults
            .iter_mut()
            .find(|f| f.method == method && f.times > 0 && (f.chat.is_none() || f.chat == chat));
        let fault = armed.map(|f| {
            f.times -= 1;
            f.fault.clone()
        });
        let faulted = matches!(fault, Some(Fault::Status(..) | Fault::Drop));
        if (method == "sendmessage" || method == "sendphoto") && !faulted {
            // Assigned under the same lock that records the call, so a test that saw
            // the call can always look up the id.
            inner.next_message_id += 1;
            assigned_id = inner.next_message_id;
            inner.sent_ids.push((chat.unwrap_or(0), assigned_id));
        }
        if method != "getupdates" {
            inner.calls.push(Call {
                method: method.clone(),
                body: body.clone(),
                faulted,
                at: Instant::now(),
            });
        }
        fault
    };
    api.calls.notify_waiters();
    match fault {
        Some(Fault::Status(status, body)) => {
            let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
            return (code, axum::Json(body)).into_response();
        }
        Some(Fault::Drop) => {
            // Headers go out, then the body breaks: the client sees a reset connection.
            let broken = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "injected",
                ))
            });
            return Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "application/json")
                .body(axum::body::Body::from_stream(broken))
                .unwrap();
        }
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        None => {}
    }
    match method.as_str() {
        "getme" => ok(json!({
            "id": BOT_ID, "is_bot": true, "first_name": "Qantar", "username": BOT_USERNAME,
            "can_join_groups": true, "can_read_all_group_messages": false,
            "supports_inline_queries": true, "can_connect_to_business": false,
            "has_main_web_app": false
        })),
        "getwebhookinfo" => ok(json!({
            "url": "", "has_custom_certificate": false, "pending_update_count": 0
        })),
        "deletewebhook"
        | "setmycommands"
        | "setmydescription"
        | "setmyshortdescription"
        | "setchatmenubutton"
        | "answercallbackquery"
        | "answerinlinequery"
        | "setwebhook" => ok(json!(true)),
        "editmessagetext" => {
            let chat = chat_of(&body);
            ok(json!({
                "message_id": body["message_id"].clone(),
                "date": now(),
                "edit_date": now(),
                "chat": chat.json(),
                "from": {"id": BOT_ID, "is_bot": true, "first_name": "Qantar", "username": BOT_USERNAME},
                "text": body["text"].clone(),
            }))
        }
        "getupdates" => get_updates(&api, &body).await,
        "getchatmember" => {
            let user = body["user_id"].as_i64().unwrap_or(0);
            if user == BOT_ID {
                let chat = body["chat_id"].as_i64().unwrap_or(0);
                let posts = !api.inner.lock().unwrap().no_post.contains(&chat);
                return ok(bot_member(posts));
            }
            let admin = api.inner.lock().unwrap().chat_admins.contains(&user);
            ok(chat_member(user, admin))
        }
        // A channel, by id or @name.
        "getchat" => {
            let id = body["chat_id"].as_i64().unwrap_or(-1_001_000_000_000);
            let mut chat = json!({
                "id": id, "type": "channel", "title": "Channel", "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": false, "limited_gifts": false,
                    "unique_gifts": false, "premium_subscription": false
                }
            });
            if let Some(name) = body["chat_id"].as_str() {
                chat["username"] = json!(name.trim_start_matches('@'));
            }
            ok(chat)
        }
        "sendphoto" => {
            let chat = chat_of(&body);
            let file_id = photo_file_id(&api, &body, &body["photo"]);
            ok(json!({
                "message_id": assigned_id,
                "date": now(),
                "chat": chat.json(),
                "from": {"id": BOT_ID, "is_bot": true, "first_name": "Qantar", "username": BOT_USERNAME},
                "caption": body["caption"].clone(),
                "photo": photo_sizes(&file_id),
            }))
        }
        "editmessagemedia" => {
            let chat = chat_of(&body);
            let media = &body["media"];
            let file_id = photo_file_id(&api, &body, &media["media"]);
            ok(json!({
                "message_id": body["message_id"].clone(),
                "date": now(),
                "edit_date": now(),
                "chat": chat.json(),
                "from": {"id": BOT_ID, "is_bot": true, "first_name": "Qantar", "username": BOT_USERNAME},
                "caption": media["caption"].clone(),
                "photo": photo_sizes(&file_id),
            }))
        }
        "sendmessage" => {
            let chat = chat_of(&body);
            let message_id = assigned_id;
            ok(json!({
                "message_id": message_id,
                "date": now(),
                "chat": chat.json(),
                "from": {"id": BOT_ID, "is_bot": true, "first_name": "Qantar", "username": BOT_USERNAME},
                "text": body["text"].clone(),
            }))
        }
        _ => error(404, "Not Found: method not found"),
    }
}

/// The chat a call names by its numeric `chat_id`: a group below zero, else private.
fn chat_of(body: &Value) -> Chat {
    let chat_id = body["chat_id"].as_i64().unwrap_or(0);
    if chat_id < 0 {
        Chat::Group(chat_id)
    } else {
        Chat::Private(chat_id)
    }
}

/// A ChatMember as Telegram describes one: an administrator with the usual rights, or a
/// plain member.
fn chat_member(user: i64, admin: bool) -> Value {
    let user = json!({"id": user, "is_bot": false, "first_name": "Reader"});
    if !admin {
        return json!({"user": user, "status": "member"});
    }
    json!({
        "user": user, "status": "administrator", "is_anonymous": false,
        "can_be_edited": false, "can_manage_chat": true, "can_change_info": true,
        "can_delete_messages": true, "can_manage_video_chats": true,
        "can_invite_users": true, "can_restrict_members": true,
        "can_pin_messages": true, "can_promote_members": false
    })
}

/// The bot as a channel's administrator allowed to post (`posts`), or a plain member.
fn bot_member(posts: bool) -> Value {
    let user =
        json!({"id": BOT_ID, "is_bot": true, "first_name": "Qantar", "username": BOT_USERNAME});
    if !posts {
        return json!({"user": user, "status": "member"});
    }
    json!({
        "user": user, "status": "administrator", "is_anonymous": false,
        "can_be_edited": false, "can_manage_chat": true, "can_change_info": false,
        "can_delete_messages": false, "can_manage_video_chats": false,
        "can_invite_users": false, "can_restrict_members": false,
        "can_promote_members": false, "can_post_messages": true, "can_edit_messages": false
    })
}

/// How a photo was given: an upload (a file part, directly or through `attach://name`)
/// or a file id.
#[derive(Debug, PartialEq, Eq)]
pub enum PhotoSent {
    Upload,
    FileId(String),
}

/// How `value` (a photo field of a call's body) gave its photo; for editMessageMedia,
/// pass the `media` object's `media`.
pub fn photo_sent(body: &Value, value: &Value) -> PhotoSent {
    let uploaded = |v: &Value| v["upload"].as_bool() == Some(true);
    match value.as_str() {
        Some(attach) if attach.starts_with("attach://") => {
            let part = &body[attach.trim_start_matches("attach://")];
            if uploaded(part) {
                PhotoSent::Upload
            } else {
                PhotoSent::FileId(part.as_str().unwrap_or_default().to_string())
            }
        }
        Some(id) => PhotoSent::FileId(id.to_string()),
        None if uploaded(value) => PhotoSent::Upload,
        None => PhotoSent::FileId(String::new()),
    }
}

/// The file id of the photo in a call: a new one for an upload, else the one given.
fn photo_file_id(api: &FakeApi, body: &Value, value: &Value) -> String {
    match photo_sent(body, value) {
        PhotoSent::Upload => {
            let mut inner = api.inner.lock().unwrap();
            inner.next_file += 1;
            format!("photo-{}", inner.next_file)
        }
        PhotoSent::FileId(id) => id,
    }
}

/// The sizes Telegram returns for a photo: a thumbnail and the full picture.
fn photo_sizes(file_id: &str) -> Value {
    json!([
        {"file_id": format!("{file_id}-thumb"), "file_unique_id": format!("u{file_id}-thumb"),
         "width": 320, "height": 250, "file_size": 9000},
        {"file_id": file_id, "file_unique_id": format!("u{file_id}"),
         "width": 1280, "height": 1000, "file_size": 120000},
    ])
}

/// Long polling as Telegram does it: `offset` confirms everything before it; with nothing
/// to hand out, wait up to `timeout` seconds for news.
async fn get_updates(api: &FakeApi, body: &Value) -> Response {
    let asked = body["offset"].as_i64().unwrap_or(0);
    let limit = body["limit"].as_u64().unwrap_or(100).clamp(1, 100) as usize;
    let timeout = Duration::from_secs(body["timeout"].as_u64().unwrap_or(0).min(10));
    let deadline = Instant::now() + timeout;
    loop {
        let notified = api.updates.notified();
        {
            let mut inner = api.inner.lock().unwrap();
            // An offset past every id handed out belongs to an older numbering.
            let offset = if asked > inner.next_update_id {
                0
            } else {
                asked
            };
            while inner
                .pending
                .front()
                .is_some_and(|u| u["update_id"].as_i64().unwrap_or(0) < offset)
            {
                inner.pending.pop_front();
            }
            if !inner.pending.is_empty() {
                let batch: Vec<Value> = inner.pending.iter().take(limit).cloned().collect();
                return ok(Value::Array(batch));
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return ok(json!([]));
        }
        let _ = tokio::time::timeout(left, notified).await;
    }
}
