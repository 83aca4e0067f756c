//! Parses a message's text into a typed command, at the edge, before anything else runs.

use crate::content::Content;
use crate::i18n::Msg;
use crate::input::deep_link::Payload;
use crate::lang::Lang;
use crate::view::View;

/// A command the bot understands, with its argument already split off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/start`, with the deep-link payload if any.
    Start(Option<String>),
    Help,
    /// `/summary`, or `/summary causes` / `/summary_causes` for one topic.
    Summary(Option<String>),
    Timeline,
    /// `/map`, or `/map 2022-01-05` for one day.
    Map(Option<String>),
    Sources,
    Petition,
    /// `/lang`, `/lang kk` or the tappable `/lang_kk`.
    Lang(Option<String>),
    /// Subscribe this chat to what the channel sends (in a group: its admins only).
    Subscribe,
    /// End this chat's subscription.
    Unsubscribe,
    /// Delete everything stored about this chat.
    Forget,
    /// Admin only: usage counts. For anyone else it is an unknown command.
    Stats,
    /// Admin only: reload content and locales.
    Reload,
    /// Admin only: delete every per-chat row, after a confirmation button.
    Purge,
    /// Admin only: list the announcements, or preview one (with Confirm) by id.
    Announce(Option<String>),
    /// Admin only: the progress of broadcasts, with Cancel.
    Broadcasts,
    /// Admin only: send one day's "on this day" (`YYYY-MM-DD`) to the admin alone.
    Rehearse(Option<String>),
    /// Admin only: preview one day's post (`YYYY-MM-DD`) for everyone, with Confirm:
    /// a day missed while the bot was down.
    SendDay(Option<String>),
    /// Admin only: stop all outreach sending until /resume.
    Pause,
    /// Admin only: continue outreach where /pause stopped it.
    Resume,
    /// A well-formed command name we do not have (lower-cased).
    Unknown(String),
}

/// What a message's text is, from the bot's point of view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// `addressed` is true for `/cmd@this_bot`: in a group, only then is an unknown
    /// command ours to answer.
    Command { command: Command, addressed: bool },
    /// `/cmd@other_bot`: someone else's business.
    ForAnotherBot,
    /// Not a command at all.
    Text,
}

/// A command's identity, apart from its argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Name {
    Start,
    Help,
    Summary,
    Timeline,
    Map,
    Sources,
    Petition,
    Lang,
    Subscribe,
    Unsubscribe,
    Forget,
    Stats,
    Reload,
    Purge,
    Announce,
    Broadcasts,
    Rehearse,
    SendDay,
    Pause,
    Resume,
}

/// The one table of command names: public commands in menu order, each with the
/// message that describes it in Telegram's menu, then the admin commands (no menu line).
const TABLE: [(&str, Name, Option<Msg>); 20] = [
    ("start", Name::Start, Some(Msg::CmdStart)),
    ("summary", Name::Summary, Some(Msg::CmdSummary)),
    ("timeline", Name::Timeline, Some(Msg::CmdTimeline)),
    ("map", Name::Map, Some(Msg::CmdMap)),
    ("sources", Name::Sources, Some(Msg::CmdSources)),
    ("petition", Name::Petition, Some(Msg::CmdPetition)),
    ("lang", Name::Lang, Some(Msg::CmdLang)),
    ("subscribe", Name::Subscribe, Some(Msg::CmdSubscribe)),
    ("unsubscribe", Name::Unsubscribe, Some(Msg::CmdUnsubscribe)),
    ("forget", Name::Forget, Some(Msg::CmdForget)),
    ("help", Name::Help, Some(Msg::CmdHelp)),
    ("stats", Name::Stats, None),
    ("reload", Name::Reload, None),
    ("purge", Name::Purge, None),
    ("announce", Name::Announce, None),
    ("broadcasts", Name::Broadcasts, None),
    ("rehearse", Name::Rehearse, None),
    ("sendday", Name::SendDay, None),
    ("pause", Name::Pause, None),
    ("resume", Name::Resume, None),
];

/// The admin commands as an admin's own menu and `/help` list them, most used first.
const ADMIN_MENU: [(&str, Msg); 9] = [
    ("announce", Msg::CmdAnnounce),
    ("broadcasts", Msg::CmdBroadcasts),
    ("sendday", Msg::CmdSendDay),
    ("rehearse", Msg::CmdRehearse),
    ("pause", Msg::CmdPause),
    ("resume", Msg::CmdResume),
    ("stats", Msg::CmdStats),
    ("reload", Msg::CmdReload),
    ("purge", Msg::CmdPurge),
];

/// The admin commands with the message that describes each.
pub fn admin_menu() -> impl Iterator<Item = (&'static str, Msg)> {
    ADMIN_MENU.iter().copied()
}

/// Other spellings a person may type.
const ALIASES: [(&str, Name); 1] = [("language", Name::Lang)];

/// The public commands in menu order, with the message that describes each.
pub fn menu() -> impl Iterator<Item = (&'static str, Msg)> {
    TABLE
        .iter()
        .filter_map(|(name, _, msg)| msg.map(|msg| (*name, msg)))
}

/// Every command name, for counters that map a stored name back to a static one.
pub fn names() -> impl Iterator<Item = &'static str> {
    TABLE.iter().map(|(name, _, _)| *name)
}

impl Name {
    fn lookup(name: &str) -> Option<Name> {
        TABLE
            .iter()
            .map(|(n, kind, _)| (*n, *kind))
            .chain(ALIASES)
            .find_map(|(n, kind)| (n == name).then_some(kind))
    }

    fn as_str(self) -> &'static str {
        TABLE
            .iter()
            .find_map(|(n, kind, _)| (*kind == self).then_some(*n))
            .unwrap_or("unknown")
    }
}

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
    let command = match Name::lookup(&name) {
        Some(Name::Start) => Command::Start(arg),
        Some(Name::Help) => Command::Help,
        Some(Name::Summary) => Command::Summary(arg),
        Some(Name::Timeline) => Command::Timeline,
        Some(Name::Map) => Command::Map(arg),
        Some(Name::Sources) => Command::Sources,
        Some(Name::Petition) => Command::Petition,
        Some(Name::Lang) => Command::Lang(arg),
        Some(Name::Subscribe) => Command::Subscribe,
        Some(Name::Unsubscribe) => Command::Unsubscribe,
        Some(Name::Forget) => Command::Forget,
        Some(Name::Stats) => Command::Stats,
        Some(Name::Reload) => Command::Reload,
        Some(Name::Purge) => Command::Purge,
        Some(Name::Announce) => Command::Announce(arg),
        Some(Name::Broadcasts) => Command::Broadcasts,
        Some(Name::Rehearse) => Command::Rehearse(arg),
        Some(Name::SendDay) => Command::SendDay(arg),
        Some(Name::Pause) => Command::Pause,
        Some(Name::Resume) => Command::Resume,
        // The tappable forms shown in lists: `/lang_kk`, `/summary_causes`.
        None => match (name.strip_prefix("lang_"), name.strip_prefix("summary_")) {
            (Some(code), _) => Command::Lang(Some(code.to_string())),
            (_, Some(topic)) => Command::Summary(Some(topic.to_string())),
            _ => Command::Unknown(name),
        },
    };
    Input::Command {
        command,
        addressed: addressee.is_some(),
    }
}

/// What a command asks the bot to do, decided without any I/O.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Show(View),
    /// Save this language for the chat, then show `then` in it.
    SwitchLang {
        lang: Lang,
        then: View,
    },
    /// Delete what is stored about the chat, then confirm.
    Forget,
    /// Subscribe the chat, or end its subscription (`false`).
    Subscribe(bool),
    /// Admin commands: the handler checks who asks before doing anything.
    Admin(AdminCommand),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminCommand {
    Stats,
    Reload,
    Purge,
    Announce(Option<String>),
    Broadcasts,
    Rehearse(Option<String>),
    SendDay(Option<String>),
    Pause,
    Resume,
}

impl AdminCommand {
    pub fn name(&self) -> &'static str {
        match self {
            AdminCommand::Stats => Name::Stats.as_str(),
            AdminCommand::Reload => Name::Reload.as_str(),
            AdminCommand::Purge => Name::Purge.as_str(),
            AdminCommand::Announce(_) => Name::Announce.as_str(),
            AdminCommand::Broadcasts => Name::Broadcasts.as_str(),
            AdminCommand::Rehearse(_) => Name::Rehearse.as_str(),
            AdminCommand::SendDay(_) => Name::SendDay.as_str(),
            AdminCommand::Pause => Name::Pause.as_str(),
            AdminCommand::Resume => Name::Resume.as_str(),
        }
    }
}

impl Command {
    /// `content` tells deep links to events and topics that exist from stale ones.
    pub fn action(self, content: &Content) -> Action {
        let view = match self {
            Command::Start(None) => View::Start { picker: false },
            Command::Start(Some(payload)) => return start_action(&payload, content),
            Command::Help => View::Help,
            Command::Summary(None) => View::Summary,
            Command::Summary(Some(topic)) => View::Topic(topic),
            Command::Timeline => View::Timeline { page: 0 },
            Command::Map(day) => map_view(day.and_then(|d| d.parse().ok()), content),
            Command::Sources => View::Sources,
            Command::Petition => View::Petition,
            Command::Lang(None) => View::LangMenu,
            Command::Lang(Some(arg)) => match Lang::from_user_input(&arg) {
                Some(lang) => {
                    return Action::SwitchLang {
                        lang,
                        then: View::LangChanged,
                    };
                }
                None => View::LangUnknown(arg),
            },
            Command::Forget => return Action::Forget,
            Command::Subscribe => return Action::Subscribe(true),
            Command::Unsubscribe => return Action::Subscribe(false),
            Command::Stats => return Action::Admin(AdminCommand::Stats),
            Command::Reload => return Action::Admin(AdminCommand::Reload),
            Command::Purge => return Action::Admin(AdminCommand::Purge),
            Command::Announce(id) => return Action::Admin(AdminCommand::Announce(id)),
            Command::Broadcasts => return Action::Admin(AdminCommand::Broadcasts),
            Command::Rehearse(day) => return Action::Admin(AdminCommand::Rehearse(day)),
            Command::SendDay(day) => return Action::Admin(AdminCommand::SendDay(day)),
            Command::Pause => return Action::Admin(AdminCommand::Pause),
            Command::Resume => return Action::Admin(AdminCommand::Resume),
            Command::Unknown(name) => View::UnknownCommand(name),
        };
        Action::Show(view)
    }

    /// A fixed name for logs and counters; never the raw text.
    pub fn name(&self) -> &'static str {
        let name = match self {
            Command::Start(_) => Name::Start,
            Command::Help => Name::Help,
            Command::Summary(_) => Name::Summary,
            Command::Timeline => Name::Timeline,
            Command::Map(_) => Name::Map,
            Command::Sources => Name::Sources,
            Command::Petition => Name::Petition,
            Command::Lang(_) => Name::Lang,
            Command::Subscribe => Name::Subscribe,
            Command::Unsubscribe => Name::Unsubscribe,
            Command::Forget => Name::Forget,
            Command::Stats => Name::Stats,
            Command::Reload => Name::Reload,
            Command::Purge => Name::Purge,
            Command::Announce(_) => Name::Announce,
            Command::Broadcasts => Name::Broadcasts,
            Command::Rehearse(_) => Name::Rehearse,
            Command::SendDay(_) => Name::SendDay,
            Command::Pause => Name::Pause,
            Command::Resume => Name::Resume,
            Command::Unknown(_) => return "unknown",
        };
        name.as_str()
    }
}

/// A deep link's view; anything unknown, malformed or gone greets.
fn start_action(payload: &str, content: &Content) -> Action {
    let greeting = View::Start { picker: false };
    let view = match Payload::parse(payload) {
        None => greeting,
        Some(Payload::Petition) => View::Petition,
        Some(Payload::Timeline) => View::Timeline { page: 0 },
        Some(Payload::Sources) => View::Sources,
        Some(Payload::Summary) => View::Summary,
        Some(Payload::Map(day)) => map_view(day, content),
        Some(Payload::Topic(id)) if content.topic(&id).is_some() => View::Topic(id),
        Some(Payload::Event(id)) if content.event(&id).is_some() => View::Event(id),
        Some(Payload::Topic(_) | Payload::Event(_)) => greeting,
        Some(Payload::Lang(lang)) => {
            return Action::SwitchLang {
                lang,
                then: greeting,
            };
        }
    };
    Action::Show(view)
}

/// The map on the map day of `day` (a date between map days shows the one before it),
/// or on its first day.
fn map_view(day: Option<crate::content::Date>, content: &Content) -> View {
    let days = crate::content::map_days::days(content);
    let first = days.first().copied();
    let day = match (day.filter(|d| d.day.is_some()), first) {
        (Some(day), _) => crate::content::map_days::map_day(content, day),
        (None, Some(first)) => first,
        // No map days at all (content with no places): the first event's date.
        (None, None) => content.events.first().map_or(
            crate::content::Date {
                year: 2022,
                month: 1,
                day: Some(2),
            },
            |e| e.date,
        ),
    };
    View::Map { day }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(text: &str) -> Input {
        match parse(text, Some("QantarBot")) {
            Input::Command { command, .. } => Input::Command {
                command,
                addressed: false,
            },
            other => other,
        }
    }

    fn plain(command: Command) -> Input {
        Input::Command {
            command,
            addressed: false,
        }
    }

    #[test]
    fn plain_commands_and_arguments() {
        assert_eq!(cmd("/start"), plain(Command::Start(None)));
        assert_eq!(
            cmd("/start petition"),
            plain(Command::Start(Some("petition".into())))
        );
        assert_eq!(cmd("/lang   KK  "), plain(Command::Lang(Some("KK".into()))));
        assert_eq!(cmd("/TIMELINE"), plain(Command::Timeline));
        assert_eq!(cmd("/lang_ru"), plain(Command::Lang(Some("ru".into()))));
        assert_eq!(
            cmd("/summary_causes"),
            plain(Command::Summary(Some("causes".into())))
        );
    }

    #[test]
    fn addressed_commands() {
        assert_eq!(
            parse("/help@QantarBot", Some("QantarBot")),
            Input::Command {
                command: Command::Help,
                addressed: true
            }
        );
        assert_eq!(cmd("/help@qantarbot"), plain(Command::Help));
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
            plain(Command::Unknown("frobnicate".into()))
        );
    }
}
