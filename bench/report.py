"""Turn bench results into the figures section of BENCHMARKS.md."""

from __future__ import annotations

from typing import Any

MARKER = "<!-- figures: written by `make bench`; edit above this line -->"


def _render(results: dict[str, Any]) -> list[str]:
    lines = [f"Run {results['when']} on {results['machine']}.", ""]
    r = results.get("render_bench")
    if r:
        one, batch, floor = r["one_letter_ms"], r["batch_seconds"], r["floor_seconds"]
        n = r["letters_in_batch"]
        lines += [
            "### Rendering (flagship pack `officials-concern`, its sample letter)",
            "",
            "| measure | ours | peer | ratio |",
            "|---|---|---|---|",
            f"| one letter, median ms | {one['ours']} | plain docxtpl loop {one['plain_docxtpl_loop']} "
            f"| **{one['speedup']}x faster** |",
            f"| {n} letters to files, s (all {r['cores']} cores) | {batch['ours_all_cores']} "
            f"| plain docxtpl loop {batch['plain_docxtpl_loop']} | **{batch['speedup_all_cores']}x faster** |",
            f"| {n} letters to files, s (one core) | {batch['ours_one_core']} "
            f"| plain docxtpl loop {batch['plain_docxtpl_loop']} | {batch['speedup_one_core']}x faster |",
            f"| {n} letters vs the floor (template bytes written {n} times, same durable atomic writer) "
            f"| {batch['ours_all_cores']} | {floor['atomic_durable_write']} | **{floor['ours_vs_atomic_floor']}x** |",
            f"| {n} letters vs the bare floor (`open().write()`, no fsync) | {batch['ours_all_cores']} "
            f"| {floor['bare_write']} | {floor['ours_vs_bare_floor']}x |",
            "",
        ]
    s = results.get("storage_bench")
    if s:
        lines += ["### Storage", "", "```json"]
        import json
        lines += json.dumps(s, indent=2).splitlines()
        lines += ["```", ""]
    g = results.get("gui_bench")
    if g:
        lines += ["### Window", "", "```json"]
        import json
        lines += json.dumps(g, indent=2).splitlines()
        lines += ["```", ""]
    return lines


def update(text: str, results: dict[str, Any]) -> str:
    head = text.split(MARKER)[0].rstrip() + "\n\n" if MARKER in text else text.rstrip() + "\n\n"
    return head + MARKER + "\n\n" + "\n".join(_render(results)) + "\n"
