//! The decision: from what arrived (already parsed) and the facts about it, a plan of
//! what to answer, in which language, and which writes and counts to make. Pure: the
//! handlers carry plans out, and the offline preview, the property tests and the fuzz
//! target run the very same function.

pub mod flood;

use crate::content::Content;
use crate::decide::flood::Verdict;
use crate::input::callback_data::{AfterLang, BadCallback, Callback, JobAct};
use crate::input::command::{Action, AdminCommand, Command, Input};
use crate::lang::Lang;
use crate::view::View;

/// What arrived, parsed at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arrival {
    /// A message's text (a message without text is `Input::Text`).
    Message(Input),
    /// A button press: its data, or why it could not be read. `on_message` is false for
    /// a press whose message we cannot edit (too old, or sent in inline mode).
    Button {
        data: Result<Callback, BadCallback>,
        on_message: bool,
    },
    /// An inline query; the articles depend only on its words and the language.
    InlineQuery,
}

/// Who asks, where, and how often: everything the decision depends on besides the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts<'a> {
    /// A private chat (or, for buttons and inline queries, no group to disturb).
    pub private: bool,
    /// The language saved for the chat, if any.
    pub saved: Option<Lang>,
    /// The sender's Telegram `language_code`.
    pub telegram: Option<&'a str>,
    /// The language for a reader about whom nothing else is known.
    pub default: Lang,
    /// The sender is in `QANTAR_ADMINS`.
    pub admin: bool,
    pub flood: Verdict,
}

impl Facts<'_> {
    /// The language to answer in: the saved choice, else Telegram's, else the default.
    pub fn lang(&self) -> Lang {
        Lang::negotiate(self.saved, self.telegram, self.default)
    }
}

/// What to do, decided; see [`Step`] for the effects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The language of the answer (a step may switch it, see [`Step::SaveLang`]).
    pub lang: Lang,
    pub step: Step,
    /// The fixed name under which this update is logged and counted (metrics, /stats);
    /// `None` for what is not served: ignored updates and floods.
    pub count: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Nothing at all: another bot's command, chatter in a group, a dropped flood.
    Ignore,
    /// Answer a button press with no text and do nothing else (a flood of presses).
    AnswerOnly,
    /// Answer a button press with "this button is out of date".
    Stale,
    /// Show a view: a message is answered with it, a button edits its message to it.
    Show(View),
    /// Save `lang` for the chat, then show `then` in it; if saving fails, show
    /// `View::LangSaveFailed(lang)` in the plan's language.
    SaveLang { lang: Lang, then: View },
    /// Delete what is stored about the chat, then confirm in `newcomer`, the language
    /// a reader with no saved choice gets; if deleting fails, `View::ForgetFailed`.
    Forget { newcomer: Lang },
    /// Subscribe the chat (`on`) or end its subscription; in a group (`in_group`) only
    /// if the sender is one of its administrators, which only Telegram can tell.
    Subscribe { on: bool, in_group: bool },
    /// An admin command, whose view needs the store or a reload first.
    Admin(AdminCommand),
    /// An admin confirmed the purge: delete every per-chat row.
    Purge,
    /// An admin confirmed an announcement as previewed (`version`, the fingerprint the
    /// preview showed): queue it for every subscriber and channel.
    Announce { id: String, version: String },
    /// An admin confirmed /sendday's preview (`version`): queue that day's post.
    SendDay {
        day: crate::content::Date,
        version: String,
    },
    /// An admin's button on a broadcast job: ask before cancelling, cancel, resume.
    Job { job: String, act: JobAct },
    /// Answer an inline query with articles in the plan's language.
    Articles,
}

impl Step {
    /// True for the steps that end in a view to show (a message answered, a button's
    /// message edited); the others answer a press, or nothing, or inline.
    pub fn shows_a_view(&self) -> bool {
        !matches!(
            self,
            Step::Ignore | Step::AnswerOnly | Step::Stale | Step::Articles
        )
    }
}

/// Whether an update is ours to consider at all. Handlers ask this before a flood token
/// is spent on another bot's command or on chatter in a group; [`decide`] asks it too.
pub fn ours(arrival: &Arrival, private: bool) -> bool {
    match arrival {
        Arrival::Message(input) => ours_in_chat(input, private),
        Arrival::Button { .. } | Arrival::InlineQuery => true,
    }
}

/// What is settled by the flood verdict alone, before the language is known: a dropped
/// message is ignored, a flood of presses is answered with nothing. Handlers ask this
/// before reading the store; [`decide`] asks it too, so both always agree.
pub fn early(arrival: &Arrival, flood: Verdict) -> Option<Step> {
    match arrival {
        Arrival::Message(_) if flood == Verdict::Drop => Some(Step::Ignore),
        Arrival::Button { .. } if flood != Verdict::Answer => Some(Step::AnswerOnly),
        _ => None,
    }
}

/// A message is ours to answer: any command in a private chat; in a group, a command we
/// know or one addressed to us. Another bot's command and group chatter are not.
fn ours_in_chat(input: &Input, private: bool) -> bool {
    match input {
        Input::Command { command, addressed } => {
            private || *addressed || !matches!(command, Command::Unknown(_))
        }
        Input::ForAnotherBot => false,
        Input::Text => private,
    }
}

/// The one decision for every update.
pub fn decide(arrival: &Arrival, facts: &Facts, content: &Content) -> Plan {
    let lang = facts.lang();
    let plan = |step, count| Plan { lang, step, count };
    if !ours(arrival, facts.private) {
        return plan(Step::Ignore, None);
    }
    if let Some(step) = early(arrival, facts.flood) {
        return plan(step, None);
    }
    match arrival {
        Arrival::Message(_) if facts.flood == Verdict::Notice => {
            plan(Step::Show(View::FloodNotice), None)
        }
        Arrival::Message(Input::Command { command, addressed }) => {
            on_command(command.clone(), *addressed, facts, content)
        }
        Arrival::Message(_) => plan(Step::Show(View::NotACommand), Some("text")),
        Arrival::Button {
            data: Ok(callback),
            on_message: true,
        } => on_button(callback.clone(), lang, facts, content),
        Arrival::Button { .. } => plan(Step::Stale, Some("stale_button")),
        Arrival::InlineQuery => plan(Step::Articles, Some("inline")),
    }
}

fn on_command(command: Command, addressed: bool, facts: &Facts, content: &Content) -> Plan {
    let lang = facts.lang();
    let name = command.name();
    let plan = |step| Plan {
        lang,
        step,
        count: Some(name),
    };
    match command.action(content) {
        Action::Show(View::Start { .. }) => {
            // Offer the picker to a reader whose Telegram language we don't speak and
            // who has not chosen yet.
            let unknown = facts.telegram.and_then(Lang::from_ietf).is_none();
            plan(Step::Show(View::Start {
                picker: facts.saved.is_none() && unknown,
            }))
        }
        // An admin's own /help lists the admin commands too; never in a group.
        Action::Show(View::Help) if facts.admin && facts.private => {
            plan(Step::Show(View::AdminHelp))
        }
        Action::Show(view) => plan(Step::Show(view)),
        Action::SwitchLang { lang, then } => plan(Step::SaveLang { lang, then }),
        Action::Subscribe(on) => plan(Step::Subscribe {
            on,
            in_group: !facts.private,
        }),
        Action::Forget => plan(Step::Forget {
            newcomer: Lang::negotiate(None, facts.telegram, facts.default),
        }),
        Action::Admin(admin) if facts.admin => plan(Step::Admin(admin)),
        // To everyone else an admin command is a command we don't have, and in a group
        // an unaddressed one is someone else's business.
        Action::Admin(_) if !facts.private && !addressed => Plan {
            lang,
            step: Step::Ignore,
            count: None,
        },
        Action::Admin(admin) => Plan {
            lang,
            step: Step::Show(View::UnknownCommand(admin.name().to_string())),
            count: Some("unknown"),
        },
    }
}

fn on_button(callback: Callback, lang: Lang, facts: &Facts, content: &Content) -> Plan {
    let (admin, private) = (facts.admin, facts.private);
    let (count, step) = match callback {
        Callback::SetLang { lang: new, then } => {
            let then = match then {
                AfterLang::Start => View::Start { picker: false },
                AfterLang::Confirm => View::LangChanged,
            };
            ("lang_button", Step::SaveLang { lang: new, then })
        }
        Callback::TimelinePage(page) => ("timeline_page", Step::Show(View::Timeline { page })),
        Callback::Event(id) => ("event", Step::Show(View::Event(id))),
        // A day the map no longer has (the content changed since) is out of date.
        Callback::Map(day) if crate::content::map_days::days(content).contains(&day) => {
            ("map_day", Step::Show(View::Map { day }))
        }
        Callback::Map(_) => ("stale_button", Step::Stale),
        Callback::Summary => ("summary", Step::Show(View::Summary)),
        Callback::Topic(id) => ("topic", Step::Show(View::Topic(id))),
        Callback::Purge(yes) if admin => (
            "purge_button",
            if yes {
                Step::Purge
            } else {
                Step::Show(View::PurgeCancelled)
            },
        ),
        // Only an admin's press does anything; to anyone else it is out of date.
        Callback::Purge(_) => ("stale_button", Step::Stale),
        Callback::Sources => ("sources", Step::Show(View::Sources)),
        Callback::Subscribe => (
            "subscribe",
            Step::Subscribe {
                on: true,
                in_group: !private,
            },
        ),
        Callback::Petition => ("petition", Step::Show(View::Petition)),
        Callback::Announce { id, version } if admin => {
            ("announce_button", Step::Announce { id, version })
        }
        Callback::AnnounceCancel if admin => {
            ("announce_button", Step::Show(View::AnnounceCancelled))
        }
        Callback::SendDay { day, version } if admin => {
            ("broadcasts_button", Step::SendDay { day, version })
        }
        Callback::Job { job, act } if admin => ("broadcasts_button", Step::Job { job, act }),
        // Only an admin's press does anything; to anyone else it is out of date.
        Callback::Announce { .. }
        | Callback::AnnounceCancel
        | Callback::Job { .. }
        | Callback::SendDay { .. } => ("stale_button", Step::Stale),
    };
    Plan {
        lang,
        step,
        count: Some(count),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::command::parse;

    fn facts() -> Facts<'static> {
        Facts {
            private: true,
            saved: None,
            telegram: Some("ru-RU"),
            default: Lang::En,
            admin: false,
            flood: Verdict::Answer,
        }
    }

    fn content() -> &'static Content {
        static CATALOG: std::sync::LazyLock<crate::catalog::Catalog> =
            std::sync::LazyLock::new(|| {
                let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
                crate::catalog::Catalog::load(&root.join("content"), &root.join("locales"))
                    .unwrap_or_else(|p| panic!("shipped content must load:\n{p}"))
            });
        &CATALOG.content
    }

    fn message(text: &str, facts: &Facts) -> Plan {
        let arrival = Arrival::Message(parse(text, Some("qantar_bot")));
        decide(&arrival, facts, content())
    }

    #[test]
    fn language_is_the_saved_choice_then_telegrams_then_the_default() {
        assert_eq!(message("/help", &facts()).lang, Lang::Ru);
        let saved = Facts {
            saved: Some(Lang::Kk),
            ..facts()
        };
        assert_eq!(message("/help", &saved).lang, Lang::Kk);
        let unknown = Facts {
            telegram: Some("fr"),
            ..facts()
        };
        assert_eq!(message("/help", &unknown).lang, Lang::En);
    }

    #[test]
    fn groups_ignore_chatter_other_bots_and_unknown_unaddressed_commands() {
        let group = Facts {
            private: false,
            ..facts()
        };
        for text in ["hello", "/help@other_bot", "/frobnicate", "/stats"] {
            assert_eq!(message(text, &group).step, Step::Ignore, "{text}");
        }
        assert_eq!(
            message("/frobnicate@qantar_bot", &group).step,
            Step::Show(View::UnknownCommand("frobnicate".into()))
        );
        assert_eq!(message("/help", &group).step, Step::Show(View::Help));
    }

    #[test]
    fn a_flood_is_noticed_once_then_dropped_and_never_counted() {
        let notice = Facts {
            flood: Verdict::Notice,
            ..facts()
        };
        let plan = message("/help", &notice);
        assert_eq!(
            (plan.step, plan.count),
            (Step::Show(View::FloodNotice), None)
        );
        let drop = Facts {
            flood: Verdict::Drop,
            ..facts()
        };
        let help = Arrival::Message(parse("/help", None));
        assert_eq!(early(&help, Verdict::Drop), Some(Step::Ignore));
        assert_eq!(early(&help, Verdict::Notice), None);
        assert_eq!(message("/help", &drop).step, Step::Ignore);
        let press = Arrival::Button {
            data: Ok(Callback::Summary),
            on_message: true,
        };
        let plan = decide(&press, &drop, content());
        assert_eq!((plan.step, plan.count), (Step::AnswerOnly, None));
    }

    #[test]
    fn admin_commands_are_unknown_to_everyone_else() {
        let plan = message("/stats", &facts());
        assert_eq!(plan.step, Step::Show(View::UnknownCommand("stats".into())));
        assert_eq!(plan.count, Some("unknown"));
        let admin = Facts {
            admin: true,
            ..facts()
        };
        assert_eq!(
            message("/stats", &admin).step,
            Step::Admin(AdminCommand::Stats)
        );
    }

    #[test]
    fn lang_and_forget_plan_their_writes() {
        assert_eq!(
            message("/lang kk", &facts()).step,
            Step::SaveLang {
                lang: Lang::Kk,
                then: View::LangChanged
            }
        );
        let saved = Facts {
            saved: Some(Lang::Kk),
            ..facts()
        };
        // After /forget the reader is a newcomer again: Telegram's language applies.
        assert_eq!(
            message("/forget", &saved),
            Plan {
                lang: Lang::Kk,
                step: Step::Forget { newcomer: Lang::Ru },
                count: Some("forget")
            }
        );
    }

    #[test]
    fn buttons_show_their_view_and_stale_ones_are_answered() {
        let press =
            |data, on_message| decide(&Arrival::Button { data, on_message }, &facts(), content());
        assert_eq!(
            press(Ok(Callback::TimelinePage(2)), true).step,
            Step::Show(View::Timeline { page: 2 })
        );
        assert_eq!(press(Ok(Callback::Summary), false).step, Step::Stale);
        let stale = press(Err(BadCallback), true);
        assert_eq!(
            (stale.step, stale.count),
            (Step::Stale, Some("stale_button"))
        );
    }
}
