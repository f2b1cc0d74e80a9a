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
        w = r.get("whole_process")
        if w:
            parts = w["floor_parts"]
            lines += [
                f"The whole `chambers batch` process ({n} letters from a CSV, all cores; median of "
                f"{len(w['ours_walls_s'])}; load average {w['load_average']} on the {r['cores']} cores "
                "while measured):",
                "",
                "| measure | ours | peer or floor | ratio | target |",
                "|---|---|---|---|---|",
                f"| whole process, wall s | {w['ours_wall_s']} | plain docxtpl loop {w['plain_docxtpl_loop_wall_s']} "
                f"| **{w['speedup_wall']}x faster** | >= {w['target_speedup']}x, < {w['target_s']} s |",
                f"| whole process, CPU s (workers included) | {w['ours_cpu_s']} "
                f"| plain docxtpl loop {w['plain_docxtpl_loop_cpu_s']} | **{w['speedup_cpu']}x less** | |",
                f"| whole process against its floor, wall s | {w['ours_wall_s']} | {w['floor_s']} (a Python start "
                f"{parts['python_start_s']} + {n} renders of {parts['render_distinct_ms']} ms over {r['cores']} cores "
                f"+ bare writes {parts['bare_writes_s']}) | **{w['vs_floor']}x** | |",
                "",
            ]
    s = results.get("storage_bench")
    if s:
        lines += [f"### Storage ({s['letters']:,} letters in the database; medians, ms)", "",
                  "| engine | list newest 100 | full-text search (common words) | LIKE, same words (peer) "
                  "| full-text search (rare term) | LIKE, rare term (peer) | LIKE / full-text | insert all, s |",
                  "|---|---|---|---|---|---|---|---|"]
        for engine, label in (("sqlite", "SQLite (FTS5)"), ("postgresql", "PostgreSQL (GIN tsvector)")):
            f = s.get(engine)
            if f:
                lines.append(f"| {label} | {f['list_100_ms']} | {f['search_fts_ms']} | {f['search_like_ms']} "
                             f"| {f['search_rare_fts_ms']} | {f['search_rare_like_ms']} "
                             f"| **{f['like_over_fts_ratio']}x** | {f['insert_10k_s']} |")
        if "postgresql" not in s:
            lines.append("| PostgreSQL | not measured: set CHAMBERS_BENCH_POSTGRES_URL | | | | | | |")
        lines.append("")
    g = results.get("gui_bench")
    if g:
        def mark(ok: bool) -> str:
            return "met" if ok else "**missed**"
        lines += ["### Window (offscreen Qt; peer: a bare PySide6 process that opens an empty QMainWindow)", "",
                  "| measure | ours | peer | ratio | target |", "|---|---|---|---|---|",
                  f"| cold start to the first paint (the last letter's text and its preview on screen, what is "
                  f"typed kept), ms (median of {len(g.get('startup_runs_ms', [])) or 5}) | {g['startup_ms']} "
                  f"| {g['bare_window_ms']} | {g['startup_ratio_vs_bare']}x | <= {g['startup_target_ratio']}x: "
                  f"{mark(g['startup_ratio_vs_bare'] <= g['startup_target_ratio'])} |",
                  f"| each start, ms | {', '.join(str(v) for v in g.get('startup_runs_ms', []))} | "
                  f"{', '.join(str(v) for v in g.get('bare_window_runs_ms', []))} | | |",
                  f"| CPU time to the first paint (user + system), ms | {g.get('startup_cpu_ms', '')} | "
                  f"{g.get('bare_window_cpu_ms', '')} | {g.get('startup_cpu_ratio_vs_bare', '')}x | |",
                  f"| the window proper in its place (the letter in the form, its fast preview drawn), ms | "
                  f"{g.get('window_ready_ms', '')} | | {g.get('window_ready_ratio_vs_bare', '')}x | |",
                  f"| drafts database open behind the letter (drafts list enabled), ms | "
                  f"{g.get('database_ready_ms', '')} | | {g.get('database_ready_ratio_vs_bare', '')}x | |",
                  f"| keystroke to fast preview, median ms ({g['edits']} edits) | "
                  f"{g['keystroke_to_preview_median_ms']} | | | < {g['keystroke_target_median_ms']} ms: "
                  f"{mark(g['keystroke_to_preview_median_ms'] < g['keystroke_target_median_ms'])} |",
                  f"| keystroke to fast preview, 95th percentile ms | {g['keystroke_to_preview_p95_ms']} | | | |",
                  f"| peak memory, the letter open and the database ready, MB | {g['peak_rss_mb']} | "
                  f"{g['bare_window_rss_mb']} | {g['rss_ratio_vs_bare']}x | < {g['rss_target_mb']} MB: "
                  f"{mark(g['peak_rss_mb'] < g['rss_target_mb'])} |"]

        if "page_view_peak_rss_mb" in g:
            lines += [f"| peak memory with the Page view open (pages on screen), MB | "
                      f"{g['page_view_peak_rss_mb']} | | | < {g['rss_target_mb']} MB: "
                      f"{mark(g['page_view_peak_rss_mb'] < g['rss_target_mb'])} |",
                      f"| LibreOffice's own memory meanwhile (its processes, apart from ours), MB | "
                      f"{g['libreoffice_rss_mb']} | | | |"]
        elif "page_view_rss_note" in g:
            lines.append(f"| peak memory with the Page view open | not measured: {g['page_view_rss_note']} | | | |")
        if "load_average" in g:
            lines.append(f"| load average while the starts were measured | {g['load_average']} | | | |")
        lines.append("")
    lines += _typing(results.get("typing_bench"))
    p = results.get("pack_check_bench")
    if p:
        lines += ["### Checking a template pack (`templates check`) against the size of its letter.docx", "",
                  "Time per KB stays flat (or falls, where a large pack is refused early): the check is linear. "
                  f"Slowest check of any pack up to 1 MB: {p['slowest_check_ms']} ms "
                  f"(limit {p['limit_ms']:.0f} ms: {'met' if p['within_limit'] else '**missed**'}).", "",
                  "| pack shape | " + " | ".join(f"{kb} KB" for kb in p["sizes_kb"]) + " | ms/KB, largest / 100 KB |",
                  "|---|" + "---|" * (len(p["sizes_kb"]) + 1)]
        for shape, figures in p["shapes"].items():
            cells = [f"{r['check_ms']} ms" + (" (refused)" if r["findings"] else "") for r in figures["rows"]]
            lines.append(f"| {shape} | " + " | ".join(cells) + f" | {figures['per_kb_ratio_largest_vs_100kb']} |")
        lines.append("")
    c = results.get("check_cost_bench")
    if c:
        met = "met" if c["within_target"] else "**missed**"
        lines += ["### `templates check` of each stock pack against one `chambers render` process "
                  f"(whole processes, alternately, median of {c['runs']})", "",
                  f"Target: at most {c['target_ratio']:g}x and under {c['target_mb']} MB: {met} "
                  f"(worst {c['worst_ratio_wall']}x, {c['worst_check_peak_mb']} MB; load average "
                  f"{c['load_average']}).", "",
                  "| pack | check, s | render (peer), s | ratio | CPU ratio | check peak MB | render peak MB |",
                  "|---|---|---|---|---|---|---|"]
        for pack, f in c["packs"].items():
            lines.append(f"| {pack} | {f['check_s']} | {f['render_s']} | **{f['ratio_wall']}x** | {f['ratio_cpu']}x "
                         f"| {f['check_peak_mb']} | {f['render_peak_mb']} |")
        lines.append("")
    d = results.get("drafts_list_bench")
    if d:
        lines += [f"### Drafts list ({d['letters']:,} letters, {d['with_comments_and_approvals']} with comments and "
                  "approved .docx; SQLite)", "",
                  "| measure | ours (one query) | per-row loading (peer: what the list did before) | ratio | target |",
                  "|---|---|---|---|---|",
                  f"| the whole list, wall ms | {d['ours_ms']} | {d['per_row_loading_ms']} "
                  f"| **{d['speedup']}x faster** "
                  f"| < {d['target_ms']:.0f} ms: {'met' if d['target_met_wall'] else '**missed**'} |",
                  f"| the whole list, CPU ms | {d['ours_cpu_ms']} | {d['per_row_loading_cpu_ms']} | | "
                  f"(load average {d['load_average']}) |",
                  ""]
    o = results.get("office_bench")
    if o:
        view, merge = o["page_view_ms"], o["pdf_per_letter_ms"]
        view_met = "met" if view["resident_median"] < view["target_ms"] else "**missed**"
        lines += ["### LibreOffice (flagship letter; peer: a fresh `soffice --convert-to pdf` per conversion, "
                  "warm profile)", "",
                  "| measure | resident office (UNO) | one-shot soffice | ratio | target |", "|---|---|---|---|---|",
                  f"| page view after an edit (render + PDF + page images), median ms of {o['page_view_edits']} "
                  f"| {view['resident_median']} | {view['one_shot_median']} | **{view['speedup']}x faster** "
                  f"| < {view['target_ms']} ms: {view_met} |",
                  f"| PDF per letter in a {o['merge_letters']}-letter merge, ms | {merge['resident']} "
                  f"| {merge['one_shot']} (measured on {merge['one_shot_measured_on']}) "
                  f"| **{merge['speedup']}x faster** | |",
                  f"| first conversion (starts LibreOffice), ms | {o['first_conversion_ms']} | | | |",
                  ""]
    bp = results.get("batch_pdf_bench")
    if bp and "skipped" not in bp:
        lines += [f"### `batch --pdf` against its floor ({bp['letters']} letters with their PDFs, "
                  f"{bp['cores']} cores; load average {bp['load_average']})", "",
                  "| measure | ours | floor | ratio | target |", "|---|---|---|---|---|",
                  f"| whole `chambers batch --pdf` process, wall s | {bp['batch_pdf_wall_s']} | {bp['floor_s']} "
                  f"(one conversion {bp['one_conversion_ms']} ms x {bp['letters']} / {bp['cores']} cores) "
                  f"| **{bp['vs_floor']}x** | <= {bp['target_vs_floor']}x |"]
        if "floor_all_cores_s" in bp:
            roles = bp["batch_pdf_cpu_by_role_s"]
            lines += [f"| the same, against the floor with every core converting, wall s | {bp['batch_pdf_wall_s']} "
                      f"| {bp['floor_all_cores_s']} ({bp['cores']} offices converting at once, "
                      f"{bp['all_cores_letter_ms']} ms a letter) | **{bp['vs_floor_all_cores']}x** | |",
                      f"| the same in CPU time (offices, their bridges, our Python), s | {bp['batch_pdf_cpu_s']} "
                      f"({roles['offices']} + {roles['bridges']} + {roles['python']}) | {bp['floor_cpu_s']} "
                      f"(one conversion {bp['one_conversion_cpu_ms']} ms of the office's CPU x {bp['letters']}) "
                      f"| **{bp['vs_floor_cpu']}x** | |"]
        lines.append("")
    sg = results.get("signing_bench")
    if sg:
        one, batch = sg["one_letter_ms"], sg["batch"]
        lines += ["### Signing (flagship letter; peer: the unsigned PDF export in the same run)", "",
                  "| measure | signed (PDF/A-3b, .docx embedded, PAdES B-B) | unsigned PDF | ratio |",
                  "|---|---|---|---|",
                  f"| one letter, median ms of {one['letters']} | {one['signed_median']} "
                  f"| {one['unsigned_pdf_median']} | {one['ratio']}x |",
                  f"| {batch['letters']}-letter batch, s | {batch['signed_s']} | {batch['unsigned_pdf_s']} "
                  f"| {batch['ratio']}x |",
                  ""]
    return lines


def _typing(t: dict[str, Any] | None) -> list[str]:
    """Keystroke to fast preview (bench/typing_bench.py)."""
    if not t:
        return []
    lines = [f"### Typing: keystroke to fast preview ({t['keys']} keys a field; load average "
             f"{t['load_average']} while measured)", "",
             "| letter, field | median ms | 95th pct. ms | CPU median ms (all threads) | GUI thread CPU ms "
             "| vs the sample letter | vs a bare Qt round trip | target |", "|---|---|---|---|---|---|---|---|"]
    for letter in ("sample", "long"):
        for field, label in (("name", "an addressee's name"), ("concern", "a concern")):
            f = t[f"{letter}_{field}"]
            target = ""
            if letter == "long":
                target = f"< {t['target_median_ms']:.0f} ms: " + ("met" if f["target_met"] else "**missed**")
            lines.append(f"| {t[f'{letter}_shape']}, {label} | {f['median_ms']} | {f['p95_ms']} | {f['cpu_median_ms']} "
                         f"| {f.get('gui_thread_cpu_median_ms', '')} | {f.get('vs_sample', 1.0)}x "
                         f"| {f['vs_bare_qt']}x | {target} |")
        bare = t[f"{letter}_bare_qt"]
        lines.append(f"| peer: bare QLineEdit -> thread -> QTextBrowser, the same preview ({letter}) "
                     f"| {bare['median_ms']} | {bare['p95_ms']} | {bare['cpu_median_ms']} "
                     f"| {bare.get('gui_thread_cpu_median_ms', '')} | | 1.0x | |")
    return [*lines, ""]


def update(text: str, results: dict[str, Any]) -> str:
    head = text.split(MARKER)[0].rstrip() + "\n\n" if MARKER in text else text.rstrip() + "\n\n"
    return head + MARKER + "\n\n" + "\n".join(_render(results)) + "\n"
