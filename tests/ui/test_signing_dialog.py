"""The signing dialog on its own: the service's verdict in words, a real PKCS#12 key signing the
approved letter (read back with pyHanko), and each refusal said with nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import Services
from app.core.workflow import Status
from app.ui.signing_dialog import TOKEN, SigningDialog
from app.ui.workers import OpRunner
from tests.services.test_drafts_workflow import new_letter
from tests.signing_office import PASSPHRASE, Issued, issue, root
from tests.storage.dbfixtures import JUDGE_FULL_NAME, as_user, office

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


@dataclass
class Chambers:
    url: str
    folder: Path
    ca: Issued
    tani: Issued
    letter: int
    opened: list[Services]

    def judge(self, name: str = "tani") -> Services:
        made = as_user(self.url, name)
        self.opened.append(made)
        return made

    def key(self, who: Issued | None = None, name: str = "tani.p12") -> Path:
        path = self.folder / name
        path.write_bytes((who or self.tani).p12())
        return path


@pytest.fixture(scope="module")
def ca() -> Issued:
    return root()


@pytest.fixture(scope="module")
def tani_cert(ca: Issued) -> Issued:
    return issue(ca, JUDGE_FULL_NAME)


@pytest.fixture
def chambers(tmp_path: Path, ca: Issued, tani_cert: Issued) -> Iterator[Chambers]:
    url = f"sqlite:///{tmp_path / 'chambers.sqlite3'}"
    admin = office(url)
    admin.signing.trust_add(ca.pem, "ca.pem")
    admin.signing.bind_certificate("tani", tani_cert.pem, "tani.pem")
    admin.close()
    out = tmp_path / "out"
    out.mkdir()
    made = Chambers(url, out, ca, tani_cert, new_letter(url, Status.APPROVED), [])
    yield made
    for s in made.opened:
        s.close()


@pytest.fixture
def runner(qtbot: Any) -> Iterator[OpRunner]:
    made = OpRunner(threads=1)
    yield made
    made.shutdown()


def _dialog(qtbot: Any, chambers: Chambers, runner: OpRunner, user: str = "tani",
            letter: int | None = None) -> SigningDialog:
    s = chambers.judge(user)
    dialog = SigningDialog(s.signing, letter or chambers.letter, "Letter to Attorney General Sessions", runner,
                           folder=chambers.folder)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.may_sign is not None, timeout=15_000)
    return dialog


def _fill(dialog: SigningDialog, key: Path | str, secret: str) -> None:
    dialog.key.setText(str(key))
    dialog.secret.setText(secret)


def _sign(qtbot: Any, dialog: SigningDialog) -> None:
    assert dialog.sign_button.isEnabled(), dialog.sign_button.toolTip()
    dialog.sign_button.click()
    assert dialog.secret.text() == ""          # the passphrase left its field when Sign was pressed
    assert not dialog.close_button.isEnabled()  # a signing under way runs to its end, and says how it went
    dialog.reject()
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=120_000)


def _written(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.suffix in (".docx", ".pdf") or ".tmp" in p.name)


@pytest.mark.libreoffice
def test_the_signatory_signs_with_a_key_file_and_the_pdf_validates(qtbot: Any, chambers: Chambers,
                                                                   runner: OpRunner, libreoffice: None) -> None:
    from app.rendering.signing import read_signed_pdf

    dialog = _dialog(qtbot, chambers, runner)
    assert dialog.may_sign is True
    assert "You may sign approved version 1 (approved by tani on" in dialog.verdict.text()
    assert f"as {JUDGE_FULL_NAME}" in dialog.verdict.text()
    assert not dialog.sign_button.isEnabled()      # no key and no passphrase yet
    _fill(dialog, chambers.key(), PASSPHRASE)
    docx, pdf = Path(dialog.docx.text()), Path(dialog.pdf.text())
    assert docx.parent == chambers.folder
    assert pdf.suffix == ".pdf"
    with qtbot.waitSignal(dialog.signed, timeout=120_000) as signed:
        _sign(qtbot, dialog)
    assert dialog.problem.isHidden(), dialog.problem.text()
    assert signed.args[0].pdf == pdf
    assert f"Signed by {JUDGE_FULL_NAME}" in dialog.done_note.text()
    assert not dialog.sign_button.isEnabled()      # signed once; the dialog is done

    report = read_signed_pdf(pdf.read_bytes(), [chambers.ca.der])
    assert report.signed
    assert report.intact
    assert report.whole_file
    assert report.trusted
    assert report.signer is not None
    assert report.signer.common_name == JUDGE_FULL_NAME
    approval = chambers.judge().drafts.get(chambers.letter).approval
    assert approval is not None
    assert docx.read_bytes() == approval.docx
    assert report.source_docx == approval.docx
    assert chambers.judge().drafts.get(chambers.letter).summary.status is Status.EXPORTED


@pytest.mark.libreoffice
def test_the_signed_pdf_alone_when_the_word_file_is_not_wanted(qtbot: Any, chambers: Chambers, runner: OpRunner,
                                                                libreoffice: None) -> None:
    dialog = _dialog(qtbot, chambers, runner)
    _fill(dialog, chambers.key(), PASSPHRASE)
    assert dialog.with_docx.isChecked()           # both files unless the judge says otherwise
    dialog.docx.setText(dialog.pdf.text())        # the same name twice: no Sign ...
    assert not dialog.sign_button.isEnabled()
    dialog.with_docx.click()                      # ... until the Word file is not wanted: then it does not count
    assert not dialog.docx.isEnabled()
    pdf = Path(dialog.pdf.text())
    with qtbot.waitSignal(dialog.signed, timeout=120_000) as signed:
        _sign(qtbot, dialog)
    assert dialog.problem.isHidden(), dialog.problem.text()
    assert (signed.args[0].docx, signed.args[0].pdf) == (None, pdf)
    assert _written(chambers.folder) == [pdf.name]
    assert str(pdf) in dialog.done_note.text()
    assert "None" not in dialog.done_note.text()
    verdict = chambers.judge().signing.verify_pdf(pdf)
    assert verdict.code == 0, verdict.message


def test_a_wrong_passphrase_is_said_and_nothing_is_written(qtbot: Any, chambers: Chambers,
                                                           runner: OpRunner) -> None:
    dialog = _dialog(qtbot, chambers, runner)
    _fill(dialog, chambers.key(), "not the passphrase")
    _sign(qtbot, dialog)
    assert dialog.problem.isVisible()
    assert "Not signed, and nothing was written" in dialog.problem.text()
    assert "passphrase does not open" in dialog.problem.text()
    assert dialog.result_export is None
    assert _written(chambers.folder) == []
    assert dialog.secret.text() == ""
    assert not dialog.sign_button.isEnabled()      # a new passphrase must be typed
    assert chambers.judge().drafts.get(chambers.letter).summary.status is Status.APPROVED


def test_another_persons_certificate_is_refused_and_nothing_is_written(qtbot: Any, chambers: Chambers,
                                                                       runner: OpRunner, ca: Issued) -> None:
    dialog = _dialog(qtbot, chambers, runner)
    _fill(dialog, chambers.key(issue(ca, "Ming W. Chin"), "ming.p12"), PASSPHRASE)
    _sign(qtbot, dialog)
    assert "not the one bound to" in dialog.problem.text()
    assert _written(chambers.folder) == []
    assert dialog.result_export is None


def test_an_untrusted_certificate_is_refused_before_any_key_is_asked(qtbot: Any, chambers: Chambers,
                                                                     runner: OpRunner) -> None:
    admin = office(chambers.url)
    admin.signing.bind_certificate("tani", issue(root("Some Other CA"), JUDGE_FULL_NAME).pem)
    admin.close()
    dialog = _dialog(qtbot, chambers, runner)
    assert dialog.may_sign is False
    assert "You cannot sign this letter" in dialog.verdict.text()
    assert "does not chain to any of the office's trust anchors" in dialog.verdict.text()
    _fill(dialog, chambers.key(), PASSPHRASE)
    assert not dialog.sign_button.isEnabled()
    dialog.sign()                                   # even asked directly, it does not sign
    assert not dialog.busy
    assert _written(chambers.folder) == []


@pytest.mark.parametrize(("user", "status", "said"), [
    ("ming", Status.APPROVED, f"signed by {JUDGE_FULL_NAME}, not by Ming W. Chin"),   # not the signatory
    ("ann", Status.APPROVED, "export the final letter"),                              # a clerk
    ("tani", Status.IN_REVIEW, "not approved"),                                        # not approved yet
])
def test_who_may_not_sign_is_told_why(qtbot: Any, chambers: Chambers, runner: OpRunner, user: str,
                                      status: Status, said: str) -> None:
    letter = chambers.letter if status is Status.APPROVED else new_letter(chambers.url, status)
    dialog = _dialog(qtbot, chambers, runner, user, letter)
    assert dialog.may_sign is False
    assert said in dialog.verdict.text()
    assert not dialog.sign_button.isEnabled()


def test_a_token_asks_for_a_pin_and_a_pkcs11_uri(qtbot: Any, chambers: Chambers, runner: OpRunner) -> None:
    dialog = _dialog(qtbot, chambers, runner)
    dialog.key_kind.setCurrentIndex(TOKEN)
    assert dialog.secret_label.text().replace("&", "") == "PIN"
    assert not dialog.choose_key.isEnabled()
    _fill(dialog, str(chambers.key()), "123456")
    assert not dialog.sign_button.isEnabled()
    assert "pkcs11: URI" in dialog.sign_button.toolTip()
    dialog.key.setText("pkcs11:token=judge-card;object=signing")
    assert dialog.sign_button.isEnabled()


def test_review_sign_and_export_opens_the_dialog_on_the_letter_on_screen(
        qtbot: Any, office: dict[str, str], window: Any, dialog_guard: Any) -> None:
    from app.bootstrap import services
    from tests.conftest import sample_data
    from tests.ui.test_sign_for_and_copies import _open_from_drafts

    clerk = services(as_user="clerk")
    letter_id = clerk.drafts.create("officials-concern", sample_data()).id
    clerk.drafts.submit(letter_id)
    clerk.close()
    judge_services = services(as_user="judge")
    judge_services.drafts.approve(letter_id, 1)
    judge_services.close()
    judge = window("judge", ready=False)   # nothing waits for review: the judge's desk opens empty
    _open_from_drafts(qtbot, judge, letter_id)
    review_menu = next(a.menu() for a in judge.menuBar().actions() if a.text().replace("&", "") == "Review")
    assert judge.sign_action in review_menu.actions()
    seen: list[str] = []

    def look(dialog: SigningDialog) -> None:
        qtbot.waitUntil(lambda: dialog.may_sign is not None, timeout=15_000)
        seen.append(dialog.windowTitle())
        seen.append(dialog.verdict.text())

    dialog_guard.expect(SigningDialog, look)
    judge.sign_action.trigger()
    assert seen[0] == f"Sign and export letter {letter_id}"
    # This office binds no certificate to the judge yet: the dialog says so, and how to bind one.
    assert "no signing certificate is bound to" in seen[1]
    assert "chambers users certificate judge" in seen[1]


def test_a_passphrase_typed_then_cancelled_leaves_the_field(qtbot: Any, chambers: Chambers, runner: OpRunner) -> None:
    dialog = _dialog(qtbot, chambers, runner)
    _fill(dialog, chambers.key(), PASSPHRASE)
    dialog.reject()
    assert dialog.secret.text() == ""
    assert _written(chambers.folder) == []


@pytest.mark.libreoffice
def test_a_key_on_a_token_signs_with_its_pin_and_a_wrong_pin_is_said(qtbot: Any, chambers: Chambers,
                                                                     runner: OpRunner, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     libreoffice: None) -> None:
    from tests.signing_office import PIN, softhsm_module, softhsm_token

    if softhsm_module() is None:
        from tests.conftest import IN_CI

        if IN_CI:
            pytest.fail("SoftHSM2 and OpenSC are needed for the token test (CI=true installs them: .ci/run)")
        pytest.skip("SoftHSM2 and OpenSC (softhsm2-util, pkcs11-tool) are needed for the token test")
    hsm = tmp_path / "hsm"
    hsm.mkdir()
    for name, value in softhsm_token(hsm, chambers.tani).items():
        monkeypatch.setenv(name, value)
    dialog = _dialog(qtbot, chambers, runner)
    dialog.key_kind.setCurrentIndex(TOKEN)
    _fill(dialog, "pkcs11:token=judge-card;object=signing", "999999")
    _sign(qtbot, dialog)
    assert "PIN is not the token's" in dialog.problem.text()
    assert _written(chambers.folder) == []
    dialog.secret.setText(PIN)
    with qtbot.waitSignal(dialog.signed, timeout=120_000):
        _sign(qtbot, dialog)
    assert chambers.judge().signing.verify_pdf(Path(dialog.pdf.text())).code == 0
