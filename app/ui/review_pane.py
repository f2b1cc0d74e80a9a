"""The review pane: status, comments, changes since my last review, history compared."""

from __future__ import annotations

import html
import re
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.ui.icons import icon

_MARK = re.compile(r"\[-(.*?)-\]|\{\+(.*?)\+\}", re.DOTALL)


def diff_html(lines: list[str]) -> str:
    """git-style word-diff lines as HTML: deletions struck through in red, insertions in green."""
    out = []
    for line in lines:
        parts, last = [], 0
        for m in _MARK.finditer(line):
            parts.append(html.escape(line[last:m.start()]))
            if m.group(1) is not None:
                parts.append(f"<span style='background:#ffd7d5;color:#82071e;text-decoration:line-through'>"
                             f"{html.escape(m.group(1))}</span>")
            else:
                parts.append(f"<span style='background:#ccffd8;color:#055d20'>{html.escape(m.group(2))}</span>")
            last = m.end()
        parts.append(html.escape(line[last:]))
        out.append("<p>" + "".join(parts).replace("\n", "<br/>") + "</p>")
    return "".join(out) or "<p><i>No changes.</i></p>"


class ReviewPane(QWidget):
    comment_requested = Signal()
    request_changes_requested = Signal()
    approve_requested = Signal()
    compare_requested = Signal(int, int)
    # (from, to) versions for a Word redline; None, None: the changes since my last review.
    redline_requested = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("review-pane")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.state = QLabel(self.tr("No letter from the drafts database is open."), self)
        self.state.setWordWrap(True)
        self.state.setAccessibleName(self.tr("Review status"))
        layout.addWidget(self.state)
        buttons = QHBoxLayout()
        self.comment = QPushButton(icon("comment"), self.tr("Co&mment…"), self)
        self.request_changes = QPushButton(icon("request-changes"), self.tr("Request c&hanges…"), self)
        self.approve = QPushButton(icon("approve"), self.tr("A&pprove"), self)
        for b in (self.comment, self.request_changes, self.approve):
            b.setAccessibleName(b.text().replace("&", "").rstrip("…"))
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.comment.clicked.connect(self.comment_requested)
        self.request_changes.clicked.connect(self.request_changes_requested)
        self.approve.clicked.connect(self.approve_requested)
        layout.addWidget(QLabel(self.tr("<b>Comments</b>"), self))
        self.comments = QTextBrowser(self)
        self.comments.setAccessibleName(self.tr("Comments"))
        layout.addWidget(self.comments, 1)
        self.changes_title = QLabel(self.tr("<b>Changes since my last review</b>"), self)
        layout.addWidget(self.changes_title)
        self.changes = QTextBrowser(self)
        self.changes.setObjectName("review-changes")
        self.changes.setAccessibleName(self.tr("Changes since the last review"))
        layout.addWidget(self.changes, 2)
        history = QHBoxLayout()
        history.addWidget(QLabel(self.tr("Compare version"), self))
        self.from_version = QComboBox(self)
        self.from_version.setAccessibleName(self.tr("Compare from version"))
        self.to_version = QComboBox(self)
        self.to_version.setAccessibleName(self.tr("Compare to version"))
        history.addWidget(self.from_version)
        history.addWidget(QLabel(self.tr("with"), self))
        history.addWidget(self.to_version)
        self.compare = QPushButton(icon("history"), self.tr("Compare"), self)
        self.compare.setAccessibleName(self.tr("Compare the two versions"))
        self.compare.clicked.connect(self._compare)
        history.addWidget(self.compare)
        layout.addLayout(history)
        redline_row = QHBoxLayout()
        self.redline = QPushButton(icon("history"), self.tr("Redline in &Word…"), self)
        self.redline.setObjectName("review-redline")
        self.redline.setAccessibleName(self.tr("Redline in Word"))
        self.redline.setToolTip(self.tr("Save the changes as a Word document with tracked changes, "
                                        "to accept or reject in Word or LibreOffice"))
        menu = QMenu(self.redline)
        self.redline_since_action = menu.addAction(self.tr("Changes since my last review…"))
        self.redline_versions_action = menu.addAction(self.tr("The two versions chosen above…"))
        self.redline_since_action.triggered.connect(lambda: self.redline_requested.emit(None, None))
        self.redline_versions_action.triggered.connect(self._redline_chosen)
        self.redline.setMenu(menu)
        redline_row.addWidget(self.redline)
        redline_row.addStretch(1)
        layout.addLayout(redline_row)
        self.redline.setEnabled(False)
        self.set_enabled_controls({"comment": (False, ""), "request_changes": (False, ""), "approve": (False, "")})

    def set_enabled_controls(self, controls: dict[str, tuple[bool, str]]) -> None:
        for name, (enabled, why) in controls.items():
            button: QPushButton = getattr(self, name)
            button.setEnabled(enabled)
            button.setToolTip(why)

    def show_detail(self, detail: Any, versions: list[Any]) -> None:
        summary = detail.summary
        approval = detail.approval
        text = self.tr("Letter {id}, version {v}: <b>{status}</b>").format(
            id=summary.id, v=summary.version, status=summary.status.label)
        if approval is not None and approval.voided_at is None:
            text += self.tr(" — approved by {who} on {at:%B %d, %Y}").format(who=approval.approver,
                                                                             at=approval.approved_at)
        self.state.setText(text)
        blocks = []
        for c in detail.comments:
            kind = self.tr("requested changes") if c.kind == "changes_requested" else self.tr("commented")
            where = f" ({c.paragraph})" if c.paragraph else ""
            blocks.append(f"<p><b>{html.escape(c.author)}</b> {kind} on version {c.version}{where}, "
                          f"{c.created_at.astimezone():%Y-%m-%d %H:%M}:<br/>{html.escape(c.text)}</p>")
        self.comments.setHtml("".join(blocks) or "<p><i>No comments yet.</i></p>")
        for combo in (self.from_version, self.to_version):
            combo.clear()
            for v in versions:
                combo.addItem(f"{v.number} — {v.author}, {v.created_at.astimezone():%Y-%m-%d %H:%M}", v.number)
        if versions:
            self.from_version.setCurrentIndex(max(0, len(versions) - 2))
            self.to_version.setCurrentIndex(len(versions) - 1)
        self.compare.setEnabled(len(versions) > 1)
        self.redline.setEnabled(len(versions) > 1)
        self.redline.setToolTip(self.tr("Save the changes as a Word document with tracked changes, to accept "
                                        "or reject in Word or LibreOffice") if len(versions) > 1
                                else self.tr("A redline needs two versions; this letter has one"))

    def show_diff(self, report: Any, since_review: bool, first: bool = False, reviewer: bool = True) -> None:
        """``reviewer``: a judge sees the changes since their own review, anyone else since a judge's."""
        since = self.tr("Changes since my last review") if reviewer else self.tr("Changes since the last review")
        if first:
            title = "<b>" + since + "</b>" + self.tr(": not reviewed yet, the whole letter (version {b})")
        elif since_review:
            title = "<b>" + since + "</b>" + self.tr(" (version {a} → {b})")
        else:
            title = self.tr("<b>Version {a} compared with version {b}</b>")
        self.changes_title.setText(title.format(a=report.from_version, b=report.to_version))
        self.changes.setHtml(diff_html(list(report.text.lines)))

    def clear(self, why: str) -> None:
        self.state.setText(why)
        self.comments.clear()
        self.changes.clear()
        self.from_version.clear()
        self.to_version.clear()
        self.redline.setEnabled(False)

    def _compare(self) -> None:
        a, b = self.from_version.currentData(), self.to_version.currentData()
        if a is not None and b is not None:
            self.compare_requested.emit(int(a), int(b))

    def _redline_chosen(self) -> None:
        a, b = self.from_version.currentData(), self.to_version.currentData()
        if a is not None and b is not None:
            self.redline_requested.emit(int(a), int(b))
