//! Inline keyboards as plain data; the bot turns them into Telegram's types.

use crate::input::callback_data::Callback;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ButtonAction {
    Callback(Callback),
    /// A callback answered as a new message, leaving this one as it is: buttons under
    /// what the bot sent unprompted.
    NewMessage(Callback),
    Url(String),
    /// Opens the chat picker, then inline mode with this query (`switch_inline_query`).
    ShareInline(String),
    /// Opens this https page as a Telegram Mini App (`web_app`); private chats only.
    WebApp(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub label: String,
    pub action: ButtonAction,
}

impl Button {
    pub fn callback(label: impl Into<String>, cb: Callback) -> Button {
        Button {
            label: label.into(),
            action: ButtonAction::Callback(cb),
        }
    }

    pub fn new_message(label: impl Into<String>, cb: Callback) -> Button {
        Button {
            label: label.into(),
            action: ButtonAction::NewMessage(cb),
        }
    }

    pub fn url(label: impl Into<String>, url: impl Into<String>) -> Button {
        Button {
            label: label.into(),
            action: ButtonAction::Url(url.into()),
        }
    }

    pub fn web_app(label: impl Into<String>, url: impl Into<String>) -> Button {
        Button {
            label: label.into(),
            action: ButtonAction::WebApp(url.into()),
        }
    }

    pub fn share(label: impl Into<String>, query: impl Into<String>) -> Button {
        Button {
            label: label.into(),
            action: ButtonAction::ShareInline(query.into()),
        }
    }
}

/// Rows of buttons; empty means no keyboard.
pub type Keyboard = Vec<Vec<Button>>;
