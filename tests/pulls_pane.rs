//! The pull requests screen through `update` (keys in, requests out, answers delivered to the
//! part that asked) and its screens as TestBackend snapshots: the list, the request view with
//! comments threaded at their lines, the merge dialog and its conflict list.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/app.rs"]
mod drive;

use std::collections::BTreeMap;

use cctui::app::action::Action;
use cctui::app::command::CommandId;
use cctui::app::overlay::Overlay;
use cctui::app::state::{OpenRepo, Pane, Session, State};
use cctui::app::update::update;
use cctui::aws::identity::{Identity, IdentityKind};
use cctui::aws::pulls::{
    Anchor, ApprovalRule, Change, ChangedFile, Comment, Conflict, Event, MergeStrategy,
    PullRequest, PullStatus, Resolution, Review, Side, Thread,
};
use cctui::config::Config;
use cctui::jobs::pulls_job::{PullDetail, PullsOutput, PullsRequest};
use cctui::jobs::{JobId, JobOutput, JobRequest};
use cctui::model::RepoKey;
use cctui::ui::{self, View};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const BOB: &str = "arn:aws:iam::111122223333:user/bob";
const NOW: i64 = 1_795_640_088;

fn render(state: &State, width: u16, height: u16) -> String {
    let config = Config::default();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let view = View {
        keymap: &config.keymap,
        theme: &config.theme,
        now: NOW,
    };
    terminal.draw(|frame| ui::draw(frame, state, view)).unwrap();
    terminal.backend().to_string()
}

fn pr(id: &str, title: &str, source: &str, author: &str, age: i64) -> PullRequest {
    PullRequest {
        id: id.into(),
        title: title.into(),
        description: "Adds the login screen.\nReview the notes line by line.".into(),
        author: author.into(),
        status: PullStatus::Open,
        repository: "shop".into(),
        source: source.into(),
        destination: "main".into(),
        source_commit: format!("{id:0>40}"),
        destination_commit: "d".repeat(40),
        merge_base: Some("b".repeat(40)),
        merged_by: None,
        merge_commit: None,
        created: NOW - 7200,
        last_activity: NOW - age,
        revision: format!("rev-{id}"),
        rules: vec![ApprovalRule {
            name: "Two reviewers".into(),
            needed: 2,
            pool: vec!["arn:aws:iam::111122223333:user/*".into()],
            template: None,
        }],
    }
}

fn review(approvers: &[&str], clean: bool) -> Review {
    Review {
        approvers: approvers.iter().map(|a| a.to_string()).collect(),
        approved: approvers.len() >= 2,
        overridden: false,
        satisfied: if approvers.len() >= 2 {
            vec!["Two reviewers".into()]
        } else {
            Vec::new()
        },
        not_satisfied: if approvers.len() >= 2 {
            Vec::new()
        } else {
            vec!["Two reviewers".into()]
        },
        merge_options: if clean {
            vec![MergeStrategy::Squash, MergeStrategy::ThreeWay]
        } else {
            Vec::new()
        },
    }
}

fn comment(id: &str, parent: Option<&str>, author: &str, text: &str, at: i64) -> Comment {
    Comment {
        id: id.into(),
        in_reply_to: parent.map(str::to_string),
        author: author.into(),
        content: text.into(),
        deleted: false,
        created: at,
        edited: false,
        reactions: BTreeMap::new(),
    }
}

fn detail(pr: PullRequest) -> PullDetail {
    let line = Anchor::Line {
        path: "prices.txt".into(),
        line: 3,
        side: Side::After,
    };
    let mut question = comment("c1", None, BOB, "Why 4?", NOW - 600);
    question.reactions.insert("👍".into(), 1);
    PullDetail {
        review: review(&[BOB], false),
        events: vec![
            Event {
                date: NOW - 7200,
                actor: ALICE.into(),
                what: "opened the request".into(),
            },
            Event {
                date: NOW - 60,
                actor: BOB.into(),
                what: "approved".into(),
            },
        ],
        files: vec![
            ChangedFile {
                path: "notes.md".into(),
                old_path: None,
                change: Change::Added,
                before_blob: None,
                after_blob: Some("n".repeat(40)),
            },
            ChangedFile {
                path: "prices.txt".into(),
                old_path: None,
                change: Change::Modified,
                before_blob: Some("1".repeat(40)),
                after_blob: Some("2".repeat(40)),
            },
        ],
        threads: vec![
            Thread {
                anchor: Anchor::Request,
                before_commit: String::new(),
                after_commit: String::new(),
                comments: vec![comment("c0", None, BOB, "Looks close.", NOW - 900)],
            },
            Thread {
                anchor: line,
                before_commit: String::new(),
                after_commit: String::new(),
                comments: vec![
                    question,
                    comment("c2", Some("c1"), ALICE, "Poor harvest.", NOW - 300),
                ],
            },
        ],
        pr,
    }
}

/// A state with a clone of `shop` open, alice known to STS.
fn state() -> State {
    let mut state = State::new(Session {
        profile: Some("dev".into()),
        region: Some("eu-west-1".into()),
        ..Session::default()
    });
    state.open_repo = Some(OpenRepo {
        name: "shop".into(),
        path: "/work/shop".into(),
        codecommit: Some(RepoKey::new(Some("dev".into()), "eu-west-1", "shop")),
        origin_url: None,
    });
    state.focus = Pane::Status;
    state.access.identity = Some(Identity {
        account: "111122223333".into(),
        arn: ALICE.into(),
        kind: IdentityKind::User {
            name: "alice".into(),
        },
    });
    state.access.identity_for = Some(state.session.target());
    state
}

fn pulls(output: PullsOutput) -> JobOutput {
    JobOutput::Pulls(output)
}

fn command(state: &mut State, id: CommandId) -> Vec<cctui::app::effect::Effect> {
    update(state, Action::Command(id))
}

/// Opens the screen and answers its listing with two requests and their reviews.
fn listed(state: &mut State) {
    let effects = command(state, CommandId::OpenPulls);
    let (list, request) = drive::one(state, &effects);
    match &request {
        JobRequest::Pulls(PullsRequest::List { repositories, .. }) => {
            assert_eq!(repositories, &["shop".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    let rows = vec![
        pr("7", "Plum up", "feature/plum", ALICE, 120),
        pr("8", "Pear at 9", "clash", BOB, 30),
    ];
    let reviews = drive::output(state, list, pulls(PullsOutput::Rows(rows)));
    let started = drive::start_all(state, &reviews);
    assert_eq!(started.len(), 2, "one review read per open request");
    drive::finish(state, list, pulls(PullsOutput::Listed { count: 2 }));
    for (id, request) in started {
        let JobRequest::Pulls(PullsRequest::Review { pr, .. }) = request else {
            panic!("{request:?}");
        };
        let answer = if pr.id == "7" {
            review(&[BOB], true)
        } else {
            review(&[], false)
        };
        drive::finish(
            state,
            id,
            pulls(PullsOutput::Reviewed {
                id: pr.id.clone(),
                review: answer,
            }),
        );
    }
}

/// Opens the selected request and answers the view's read.
fn opened(state: &mut State) {
    let effects = command(state, CommandId::PullsOpen);
    let (id, request) = drive::one(state, &effects);
    let JobRequest::Pulls(PullsRequest::Open { id: pr_id, .. }) = &request else {
        panic!("{request:?}");
    };
    let row = state.pulls.rows.iter().find(|r| &r.pr.id == pr_id).unwrap();
    drive::finish(
        state,
        id,
        pulls(PullsOutput::Opened(Box::new(detail(row.pr.clone())))),
    );
}

#[test]
fn the_list_shows_newest_activity_first_and_filters_mine_and_waiting() {
    let mut s = state();
    listed(&mut s);
    let titles = |s: &State| -> Vec<String> {
        s.pulls
            .visible()
            .iter()
            .map(|i| s.pulls.rows[*i].pr.title.clone())
            .collect()
    };
    assert_eq!(titles(&s), ["Pear at 9", "Plum up"]);
    insta::assert_snapshot!("pulls_list", render(&s, 120, 16));
    command(&mut s, CommandId::PullsMine);
    assert_eq!(titles(&s), ["Plum up"]);
    command(&mut s, CommandId::PullsMine);
    command(&mut s, CommandId::PullsWaiting);
    // Bob's request waits for alice (a rule unsatisfied, alice in its pool, not approved).
    assert_eq!(titles(&s), ["Pear at 9"]);
}

#[test]
fn a_stale_listing_is_dropped() {
    let mut s = state();
    let first = command(&mut s, CommandId::OpenPulls);
    let (old, _) = drive::one(&mut s, &first);
    let again = command(&mut s, CommandId::PullsRefresh);
    assert!(
        again
            .iter()
            .any(|e| matches!(e, cctui::app::effect::Effect::Cancel(id) if *id == old))
    );
    drive::start_all(&mut s, &again);
    drive::output(
        &mut s,
        old,
        pulls(PullsOutput::Rows(vec![pr("1", "Old", "x", ALICE, 5)])),
    );
    assert!(
        s.pulls.rows.is_empty(),
        "rows of a replaced listing are dropped"
    );
}

#[test]
fn the_view_threads_comments_at_their_lines_and_comments_on_the_line_under_the_cursor() {
    let mut s = state();
    listed(&mut s);
    command(&mut s, CommandId::Down); // "Plum up"
    opened(&mut s);
    insta::assert_snapshot!("pull_view_overview", render(&s, 120, 30));

    // Files tab: the diff of the first file is read; the next file's too on `]`.
    let effects = command(&mut s, CommandId::PullNextTab);
    drive::start_all(&mut s, &effects);
    let effects = command(&mut s, CommandId::PullNextFile);
    let (diff_job, request) = drive::one(&mut s, &effects);
    let JobRequest::Pulls(PullsRequest::FileDiff { file, .. }) = request else {
        panic!("{request:?}");
    };
    assert_eq!(file.path, "prices.txt");
    let diff = cctui::git::blob_diff::diff_blobs(
        "prices.txt",
        b"apple 1\npear 2\nplum 3\n",
        b"apple 1\npear 2\nplum 4\n",
    )
    .unwrap();
    drive::finish(
        &mut s,
        diff_job,
        pulls(PullsOutput::FileDiff {
            path: "prices.txt".into(),
            diff: Box::new(diff),
        }),
    );
    insta::assert_snapshot!("pull_view_files_threaded", render(&s, 120, 24));

    // The cursor on the added line 3: `c` comments there, on the source's side.
    let rows = s.pulls.view.as_ref().unwrap().rows();
    let at = rows
        .iter()
        .position(|r| r.text == "plum 4")
        .expect("the added line is a row");
    for _ in 0..at {
        command(&mut s, CommandId::Down);
    }
    command(&mut s, CommandId::PullComment);
    for c in "Say why.".chars() {
        update(&mut s, Action::TypeChar(c));
    }
    let effects = command(&mut s, CommandId::SubmitCommit);
    let (job, request) = drive::one(&mut s, &effects);
    match request {
        JobRequest::Pulls(PullsRequest::Comment { at, content, .. }) => {
            assert_eq!(
                at,
                Anchor::Line {
                    path: "prices.txt".into(),
                    line: 3,
                    side: Side::After
                }
            );
            assert_eq!(content, "Say why.");
        }
        other => panic!("{other:?}"),
    }
    // A second ctrl-s while it is sent posts nothing more.
    assert!(drive::requests(&command(&mut s, CommandId::SubmitCommit)).is_empty());
    // The answer closes the editor and reads the request again.
    let effects = drive::finish(
        &mut s,
        job,
        pulls(PullsOutput::Changed {
            id: "7".into(),
            what: "Commented on prices.txt:3".into(),
        }),
    );
    assert!(!s.overlays.iter().any(|o| matches!(o, Overlay::Compose(_))));
    assert!(matches!(
        drive::requests(&effects).as_slice(),
        [JobRequest::Pulls(PullsRequest::Open { .. })]
    ));
}

#[test]
fn reply_goes_to_the_comment_under_the_cursor_and_only_authors_edit() {
    let mut s = state();
    listed(&mut s);
    command(&mut s, CommandId::Down);
    opened(&mut s);
    let rows = s.pulls.view.as_ref().unwrap().rows();
    let bob_row = rows
        .iter()
        .position(|r| r.comment().is_some_and(|c| c.id == "c1"))
        .unwrap();
    for _ in 0..bob_row {
        command(&mut s, CommandId::Down);
    }
    // Bob's comment: alice may not edit it.
    assert!(drive::requests(&command(&mut s, CommandId::PullEdit)).is_empty());
    assert!(
        s.pulls
            .message
            .as_deref()
            .unwrap()
            .contains("Only its author")
    );
    command(&mut s, CommandId::PullReply);
    for c in "Fine.".chars() {
        update(&mut s, Action::TypeChar(c));
    }
    let effects = command(&mut s, CommandId::SubmitCommit);
    match drive::requests(&effects).as_slice() {
        [JobRequest::Pulls(PullsRequest::Reply { in_reply_to, .. })] => {
            assert_eq!(in_reply_to, "c1")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn merge_dialog_lists_conflicts_and_sends_the_chosen_versions() {
    let mut s = state();
    listed(&mut s);
    opened(&mut s); // "Pear at 9", which conflicts
    let effects = command(&mut s, CommandId::PullMerge);
    let (job, request) = drive::one(&mut s, &effects);
    let JobRequest::Pulls(PullsRequest::Conflicts { strategy, .. }) = request else {
        panic!("{request:?}");
    };
    assert_eq!(strategy, MergeStrategy::Squash);
    // Enter before the conflicts are known merges nothing.
    assert!(drive::requests(&command(&mut s, CommandId::Accept)).is_empty());
    drive::finish(
        &mut s,
        job,
        pulls(PullsOutput::Conflicts {
            id: "8".into(),
            strategy,
            conflicts: vec![
                Conflict {
                    path: "prices.txt".into(),
                    hunks: 1,
                    binary: false,
                    content: true,
                },
                Conflict {
                    path: "logo.png".into(),
                    hunks: 0,
                    binary: true,
                    content: true,
                },
            ],
        }),
    );
    command(&mut s, CommandId::TakeTheirs); // prices.txt: the source's
    insta::assert_snapshot!("pull_merge_conflicts", render(&s, 100, 24));
    // One file unresolved: refused, saying what to do.
    assert!(drive::requests(&command(&mut s, CommandId::Accept)).is_empty());
    command(&mut s, CommandId::TakeOurs); // logo.png: the destination's
    let effects = command(&mut s, CommandId::Accept);
    let (merge_job, request) = drive::one(&mut s, &effects);
    let JobRequest::Pulls(PullsRequest::Merge { merge, .. }) = request else {
        panic!("{request:?}");
    };
    assert_eq!(merge.strategy, MergeStrategy::Squash);
    assert_eq!(
        merge.resolutions,
        [
            ("logo.png".to_string(), Resolution::Destination),
            ("prices.txt".to_string(), Resolution::Source),
        ]
    );
    // The merge lands: the dialog closes and the source branch's deletion is offered.
    let mut merged = pr("8", "Pear at 9", "clash", BOB, 1);
    merged.status = PullStatus::Merged;
    drive::finish(
        &mut s,
        merge_job,
        pulls(PullsOutput::Merged(Box::new(merged))),
    );
    assert!(
        !s.overlays
            .iter()
            .any(|o| matches!(o, Overlay::PullMerge(_)))
    );
    match s.overlays.last() {
        Some(Overlay::Confirm { title, on_yes, .. }) => {
            assert_eq!(title, "Delete clash on CodeCommit?");
            assert!(matches!(**on_yes, Action::Spawn(_)));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_clean_request_merges_with_the_first_clean_strategy() {
    let mut s = state();
    listed(&mut s);
    command(&mut s, CommandId::Down);
    opened(&mut s);
    if let Some(view) = &mut s.pulls.view {
        view.detail.as_mut().unwrap().review =
            review(&[BOB, "arn:aws:iam::111122223333:user/carol"], true);
    }
    let effects = command(&mut s, CommandId::PullMerge);
    assert!(drive::requests(&effects).is_empty(), "no conflicts to read");
    insta::assert_snapshot!("pull_merge_clean", render(&s, 100, 20));
    let effects = command(&mut s, CommandId::Accept);
    match drive::requests(&effects).as_slice() {
        [JobRequest::Pulls(PullsRequest::Merge { merge, .. })] => {
            assert_eq!(merge.strategy, MergeStrategy::Squash);
            assert!(merge.resolutions.is_empty());
            assert_eq!(merge.source_commit, format!("{:0>40}", "7"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn readonly_refuses_every_change_and_the_author_cannot_approve() {
    let mut s = state();
    listed(&mut s);
    command(&mut s, CommandId::Down); // alice's own request
    opened(&mut s);
    assert!(drive::requests(&command(&mut s, CommandId::PullApprove)).is_empty());
    assert!(s.pulls.message.as_deref().unwrap().contains("only others"));
    s.session.readonly = true;
    for id in [
        CommandId::PullComment,
        CommandId::PullApprove,
        CommandId::PullMerge,
        CommandId::PullClose,
    ] {
        let before = s.overlays.len();
        assert!(drive::requests(&command(&mut s, id)).is_empty());
        assert!(
            matches!(s.overlays.last(), Some(Overlay::Error { .. })),
            "{id:?} refused with an explanation"
        );
        s.overlays.truncate(before);
    }
}

#[test]
fn a_push_of_a_branch_without_a_request_offers_one() {
    let mut s = state();
    s.status.status = Some(cctui::git::status::Status {
        staged: Vec::new(),
        unstaged: Vec::new(),
        untracked: Vec::new(),
        conflicted: Vec::new(),
        branch: Some("feature/plum".into()),
        detached: false,
        unborn: false,
        state: cctui::git::status::RepoState::Clean,
    });
    let effects = drive::finish(
        &mut s,
        JobId(90),
        JobOutput::Worktree(cctui::jobs::WorktreeOutput::RemoteDone {
            repo: "/work/shop".into(),
            message: "Pushed feature/plum to origin/feature/plum".into(),
            pushed: Some("feature/plum".into()),
        }),
    );
    drive::start_all(&mut s, &effects);
    // The branches pane reads the repository's open requests too; the offer has its own read.
    let check = s.pulls.offer_check.as_ref().map(|(id, _)| *id).unwrap();
    let by_branch = s.pulls.by_branch_request.unwrap();
    assert_ne!(by_branch, check);
    drive::output(
        &mut s,
        by_branch,
        pulls(PullsOutput::Rows(vec![pr("4", "Kiwi", "kiwi", BOB, 9)])),
    );
    drive::finish(&mut s, by_branch, pulls(PullsOutput::Listed { count: 1 }));
    assert_eq!(s.pulls.by_branch.get("kiwi").map(String::as_str), Some("4"));
    // Another branch's request does not count.
    drive::output(
        &mut s,
        check,
        pulls(PullsOutput::Rows(vec![pr("3", "Other", "other", BOB, 9)])),
    );
    drive::finish(&mut s, check, pulls(PullsOutput::Listed { count: 1 }));
    match s.overlays.last() {
        Some(Overlay::Confirm { title, on_yes, .. }) => {
            assert_eq!(title, "Open a pull request?");
            assert_eq!(**on_yes, Action::NewPullRequest);
        }
        other => panic!("{other:?}"),
    }
    // Yes drafts from the branch's commits, then the editor holds title and description.
    let effects = command(&mut s, CommandId::Yes);
    let (draft, request) = drive::one(&mut s, &effects);
    assert!(matches!(
        request,
        JobRequest::Pulls(PullsRequest::Draft { .. })
    ));
    drive::finish(
        &mut s,
        draft,
        pulls(PullsOutput::Drafted {
            title: "Plum up".into(),
            description: "Poor harvest.".into(),
        }),
    );
    let effects = command(&mut s, CommandId::SubmitCommit);
    match drive::requests(&effects).as_slice() {
        [JobRequest::Pulls(PullsRequest::Create { new, .. })] => {
            assert_eq!(
                (new.title.as_str(), new.description.as_str()),
                ("Plum up", "Poor harvest.")
            );
            assert_eq!(
                (new.source.as_str(), new.destination.as_str()),
                ("feature/plum", "main")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_conflict_resolved_by_editing_its_merged_text() {
    let mut s = state();
    listed(&mut s);
    opened(&mut s);
    let effects = command(&mut s, CommandId::PullMerge);
    let (job, _) = drive::one(&mut s, &effects);
    drive::finish(
        &mut s,
        job,
        pulls(PullsOutput::Conflicts {
            id: "8".into(),
            strategy: MergeStrategy::Squash,
            conflicts: vec![Conflict {
                path: "prices.txt".into(),
                hunks: 1,
                binary: false,
                content: true,
            }],
        }),
    );
    let effects = command(&mut s, CommandId::EditResolution);
    let (text_job, request) = drive::one(&mut s, &effects);
    assert!(
        matches!(request, JobRequest::Pulls(PullsRequest::ConflictText { ref path, .. }) if path == "prices.txt")
    );
    drive::finish(
        &mut s,
        text_job,
        pulls(PullsOutput::ConflictText {
            id: "8".into(),
            path: "prices.txt".into(),
            text: "<<<<<<< destination\npear 5\n=======\npear 9\n>>>>>>> source\n".into(),
        }),
    );
    assert!(matches!(s.overlays.last(), Some(Overlay::Compose(_))));
    // With the markers still in, ctrl-s keeps the editor open and says why.
    command(&mut s, CommandId::SubmitCommit);
    match s.overlays.last() {
        Some(Overlay::Compose(c)) => assert!(c.error.as_deref().unwrap().contains("markers")),
        other => panic!("{other:?}"),
    }
    // Keep one line: delete everything, type the merged line.
    for _ in 0..60 {
        update(&mut s, Action::Backspace);
    }
    if let Some(Overlay::Compose(c)) = s.overlays.last_mut() {
        c.text = cctui::app::text_area::TextArea::default();
    }
    for ch in "pear 7".chars() {
        update(&mut s, Action::TypeChar(ch));
    }
    command(&mut s, CommandId::SubmitCommit);
    let effects = command(&mut s, CommandId::Accept);
    match drive::requests(&effects).as_slice() {
        [JobRequest::Pulls(PullsRequest::Merge { merge, .. })] => assert_eq!(
            merge.resolutions,
            [(
                "prices.txt".to_string(),
                Resolution::Content(b"pear 7\n".to_vec())
            )]
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn esc_closes_the_merge_dialog_and_the_text_editor() {
    let mut s = state();
    listed(&mut s);
    opened(&mut s);
    let effects = command(&mut s, CommandId::PullMerge);
    drive::start_all(&mut s, &effects);
    assert!(matches!(s.overlays.last(), Some(Overlay::PullMerge(_))));
    command(&mut s, CommandId::Close);
    assert!(matches!(s.overlays.last(), Some(Overlay::PullView)));
    command(&mut s, CommandId::PullComment);
    assert!(matches!(s.overlays.last(), Some(Overlay::Compose(_))));
    command(&mut s, CommandId::Close);
    assert!(matches!(s.overlays.last(), Some(Overlay::PullView)));
    command(&mut s, CommandId::Close);
    assert!(matches!(s.overlays.last(), Some(Overlay::Pulls)));
}

#[test]
fn workspace_rows_show_the_open_request_of_their_branch() {
    use cctui::app::workspace::WorkspaceRow;
    use cctui::git::workspace::{CloneHead, CloneSummary};
    let mut s = state();
    let row = |dir: &str, repo: &str, branch: &str| WorkspaceRow {
        summary: CloneSummary {
            path: format!("/work/{dir}").into(),
            origin_url: None,
            head: Some(CloneHead::Branch(branch.into())),
            changed: 0,
            upstream: None,
            ahead_behind: None,
            last_fetch: None,
            error: None,
        },
        key: Some(RepoKey::new(Some("dev".into()), "eu-west-1", repo)),
    };
    s.workspace.rows = vec![
        row("shop", "shop", "feature/plum"),
        row("shop-2", "shop", "main"),
        row("infra", "infra", "main"),
    ];
    let effects = cctui::app::pulls_update::read_for_workspace(&mut s);
    // One listing for the profile and region, each repository once.
    let (job, request) = drive::one(&mut s, &effects);
    match &request {
        JobRequest::Pulls(PullsRequest::List { repositories, .. }) => {
            assert_eq!(repositories, &["shop".to_string(), "infra".to_string()])
        }
        other => panic!("{other:?}"),
    }
    drive::output(
        &mut s,
        job,
        pulls(PullsOutput::Rows(vec![pr(
            "7",
            "Plum up",
            "feature/plum",
            ALICE,
            5,
        )])),
    );
    drive::finish(&mut s, job, pulls(PullsOutput::Listed { count: 1 }));
    let key = (
        Some("dev".to_string()),
        "eu-west-1".to_string(),
        "shop".to_string(),
        "feature/plum".to_string(),
    );
    assert_eq!(
        s.pulls.in_workspace.get(&key).map(String::as_str),
        Some("7")
    );
    assert_eq!(s.pulls.in_workspace.len(), 1, "main has no request");
}

#[test]
fn without_aws_setup_v_says_what_to_do_first() {
    let mut s = State::new(Session::default());
    s.repos.setup = Some(cctui::aws::setup::SetupReport {
        no_credentials: true,
        ..Default::default()
    });
    let effects = command(&mut s, CommandId::OpenPulls);
    assert!(drive::requests(&effects).is_empty());
    match s.overlays.last() {
        Some(Overlay::Error {
            hint: Some(hint), ..
        }) => {
            assert!(
                hint.contains("not set up") && hint.contains("demo"),
                "{hint}"
            )
        }
        other => panic!("{other:?}"),
    }
}
