//! What the fake API should have received for a rendered reply: the same HTML, and the
//! buttons as Telegram's JSON.

use qantar_bot::render::{ButtonAction, Keyboard, Reply};
use serde_json::{Value, json};

use crate::fake_api::Call;

/// A message as sent or edited: its text and its inline keyboard (null for none).
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub text: String,
    pub keyboard: Value,
}

pub fn keyboard_json(keyboard: &Keyboard) -> Value {
    if keyboard.is_empty() {
        return Value::Null;
    }
    let rows: Vec<Value> = keyboard
        .iter()
        .map(|row| {
            row.iter()
                .map(|b| match &b.action {
                    ButtonAction::Callback(cb) => {
                        json!({"text": b.label, "callback_data": cb.to_string()})
                    }
                    ButtonAction::NewMessage(cb) => {
                        json!({"text": b.label, "callback_data": cb.new_message_data()})
                    }
                    ButtonAction::Url(url) => json!({"text": b.label, "url": url}),
                    ButtonAction::ShareInline(q) => {
                        json!({"text": b.label, "switch_inline_query": q})
                    }
                    ButtonAction::WebApp(url) => json!({"text": b.label, "web_app": {"url": url}}),
                })
                .collect()
        })
        .collect();
    json!({"inline_keyboard": rows})
}

pub fn expected(reply: &Reply) -> Vec<Shown> {
    reply
        .messages
        .iter()
        .map(|m| Shown {
            text: m.html.clone(),
            keyboard: keyboard_json(&m.keyboard),
        })
        .collect()
}

pub fn shown(calls: &[Call]) -> Vec<Shown> {
    calls
        .iter()
        .map(|c| Shown {
            // A photo's caption is its message's text.
            text: c.body["text"]
                .as_str()
                .or(c.body["caption"].as_str())
                .unwrap_or_default()
                .to_string(),
            keyboard: match &c.body["reply_markup"] {
                Value::Object(o)
                    if o["inline_keyboard"]
                        .as_array()
                        .is_some_and(|r| r.is_empty()) =>
                {
                    Value::Null
                }
                other => other.clone(),
            },
        })
        .collect()
}

pub fn texts(calls: &[Call]) -> Vec<String> {
    shown(calls).into_iter().map(|s| s.text).collect()
}

pub fn text_of(reply: &Reply, i: usize) -> String {
    reply.messages[i].html.clone()
}
