//! Parses a message's text into a typed command, at the edge, before anything else runs.

use crate::i18n::Msg;

/// A command the bot understands, with its argument already split off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/start`, with the deep-link payload if any.
    Start(Option<String>),
    Help,
    /// `/summary`, or `/summary causes` / `/summary_causes` for one topic.
    Summary(Option<String>),
    Timeline,
    Sources,
    Petition,
    /// `/lang`, `/lang kk` or the tappable `/lang_kk`.
    Lang(Option<String>),
    /// A well-formed command name we do not have (lower-cased).
    Unknown(String),
}

/// What a message's text is, from the bot's point of view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Command(Command),
    /// `/cmd@other_bot`: someone else's business.
    ForAnotherBot,
    /// Not a command at all.
    Text,
}

/// The public commands in menu order, with the message that describes each.
pub const MENU: [(&str, Msg); 7] = [
    ("start", Msg::CmdStart),
    ("summary", Msg::CmdSummary),
    ("timeline", Msg::CmdTimeline),
    ("sources", Msg::CmdSources),
    ("petition", Msg::CmdPetition),
    ("lang", Msg::CmdLang),
    ("help", Msg::CmdHelp),
];

/// Telegram's own rule for a command name, applied before we look at it.
const NAME_MAX: usize = 32;

/// Parses `text`. `me` is this bot's username, to tell `/cmd@me` from `/cmd@other`.
pub fn parse(text: &str, me: Option<&str>) -> Input {
    let text = text.trim_start();
    let Some(rest) = text.strip_prefix('/') else {
        return Input::Text;
    };
    let (head, args) = match rest.find(char::is_whitespace) {
        Some(i) => (&rest[..i], rest[i..].trim()),
        None => (rest, ""),
    };
    let (name, addressee) = match head.split_once('@') {
        Some((name, bot)) => (name, Some(bot)),
        None => (head, None),
    };
    let well_formed = !name.is_empty()
        && name.len() <= NAME_MAX
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !well_formed {
        return Input::Text;
    }
    if let Some(bot) = addressee {
        let ours = me.is_some_and(|me| me.eq_ignore_ascii_case(bot));
        if !ours {
            return Input::ForAnotherBot;
        }
    }
    let arg = (!args.is_empty()).then(|| args.to_string());
    let name = name.to_ascii_lowercase();
    let command = match name.as_str() {
        "start" => Command::Start(arg),
        "help" => Command::Help,
        "summary" => Command::Summary(arg),
        "timeline" => Command::Timeline,
        "sources" => Command::Sources,
        "petition" => Command::Petition,
        "lang" | "language" => Command::Lang(arg),
        other => {
            // The tappable forms shown in lists: `/lang_kk`, `/summary_causes`.
            if let Some(code) = other.strip_prefix("lang_") {
                Command::Lang(Some(code.to_string()))
            } else if let Some(topic) = other.strip_prefix("summary_") {
                Command::Summary(Some(topic.to_string()))
            } else {
                Command::Unknown(name)
            }
        }
    };
    Input::Command(command)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(text: &str) -> Input {
        parse(text, Some("QantarBot"))
    }

    #[test]
    fn plain_commands_and_arguments() {
        assert_eq!(cmd("/start"), Input::Command(Command::Start(None)));
        assert_eq!(
            cmd("/start petition"),
            Input::Command(Command::Start(Some("petition".into())))
        );
        assert_eq!(
            cmd("/lang   KK  "),
            Input::Command(Command::Lang(Some("KK".into())))
        );
        assert_eq!(cmd("/TIMELINE"), Input::Command(Command::Timeline));
        assert_eq!(
            cmd("/lang_ru"),
            Input::Command(Command::Lang(Some("ru".into())))
        );
        assert_eq!(
            cmd("/summary_causes"),
            Input::Command(Command::Summary(Some("causes".into())))
        );
    }

    #[test]
    fn addressed_commands() {
        assert_eq!(cmd("/help@QantarBot"), Input::Command(Command::Help));
        assert_eq!(cmd("/help@qantarbot"), Input::Command(Command::Help));
        assert_eq!(cmd("/help@OtherBot"), Input::ForAnotherBot);
        assert_eq!(parse("/help@QantarBot", None), Input::ForAnotherBot);
    }

    #[test]
    fn chatter_and_oddities_are_text() {
        for text in ["hello", "", "/", "/ help", "a /help", "/привет", "/x-y"] {
            assert_eq!(cmd(text), Input::Text, "{text}");
        }
        assert_eq!(
            cmd("/frobnicate now"),
            Input::Command(Command::Unknown("frobnicate".into()))
        );
    }
}
