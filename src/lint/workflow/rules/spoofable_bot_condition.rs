use github_actions_expressions::{
    Expr,
    literal::Literal,
    op::{BinExpr, BinOp},
};

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::expr::{condition, visit};
use crate::lint::workflow::{Document, conditions};

declare_rule! {
    /// ## What it does
    /// Reports an `if:` that trusts a bot by the name of the actor: `github.actor ==
    /// 'dependabot[bot]'` (or `github.triggering_actor`).
    ///
    /// zizmor: `bot-conditions`.
    ///
    /// ## Why it matters
    /// `github.actor` is whoever caused the latest event, not who wrote the pull request:
    /// anyone who gets a bot to act on their pull request (a rebase Dependabot is asked for, a
    /// comment a bot answers) runs the job as the bot, and the job's steps (auto-merge,
    /// secrets for the bot) run on their code.
    ///
    /// ## Example
    /// ```yaml
    /// if: github.actor == 'dependabot[bot]'
    /// ```
    ///
    /// ## How to fix
    /// Check who opened the pull request, which the bot alone can be:
    /// `github.event.pull_request.user.login == 'dependabot[bot]'`.
    pub static RULE = ("GHA017", "spoofable-bot-condition", Error);
}

/// Whether a side of a comparison is the actor's name.
fn actor(e: &Expr<'_>) -> Option<String> {
    let Expr::Context(ctx) = e else { return None };
    ctx.as_pattern().filter(|p| p == "github.actor" || p == "github.triggering_actor")
}

/// Whether a side of a comparison is a bot's name.
fn bot(e: &Expr<'_>) -> bool {
    matches!(e, Expr::Literal(Literal::String(s)) if s.to_ascii_lowercase().ends_with("[bot]"))
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for node in conditions(doc) {
        let Some(text) = node.as_str().and_then(condition) else { continue };
        let Ok(parsed) = Expr::parse(text) else { continue };
        let mut found = None;
        visit(&parsed, &mut |e| {
            if let Expr::BinExpr(BinExpr { lhs, op: BinOp::Eq, rhs }) = &e.inner {
                let hit = actor(lhs).filter(|_| bot(rhs)).or_else(|| actor(rhs).filter(|_| bot(lhs)));
                found = found.take().or(hit);
            }
        });
        let Some(context) = found else { continue };
        let message = format!(
            "`{context}` is whoever caused the latest event, not who opened the pull request: anyone can make a bot act on their pull request"
        );
        out.push(
            doc.at(&RULE, node.span, message)
                .help("check `github.event.pull_request.user.login == 'dependabot[bot]'` instead"),
        );
    }
}
