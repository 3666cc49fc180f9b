"""Two branches compared (``api.compare_branches``), in lines of words: the CLI prints them, the window shows them."""

from __future__ import annotations

from typing import Any


def compare_lines(report: dict[str, Any]) -> list[str]:
    a, b = report["branches"]
    lines = [f"A: branch {a['id']} '{a['name']}' at {a['sim_time']}   B: branch {b['id']} '{b['name']}' at {b['sim_time']}",
             "metrics at the heads (A / B):"]
    lines += [f"  {key:<14} {va!s:>12} {vb!s:>12}" for key, (va, vb) in report["final"].items()]
    for fact in report["knowledge"]:
        lines.append(f"knows \u201c{fact['text'][:60]}\u201d: {fact['knowers'][0]} / {fact['knowers'][1]}; only in A: "
                     f"{', '.join(fact['only_a']) or '-'}; only in B: {', '.join(fact['only_b']) or '-'}")
    lines += [f"tie {t['a']} - {t['b']}: {t['label'][0]} ({t['affinity'][0]}) / {t['label'][1]} ({t['affinity'][1]})"
              for t in report["ties"]]
    lines += [f"money {m['name']}: ${m['money'][0]:,.2f} / ${m['money'][1]:,.2f}" for m in report["money"]]
    council = report["council"]
    lines += [f"policy in {p['district']}: {p['values'][0]} / {p['values'][1]}" for p in council["policies"]]
    lines += [f"council of {d['district']} on {d['proposal']}: {d['outcome'][0]} / {d['outcome'][1]}"
              for d in council["decisions"]]
    if not (report["knowledge"] or report["ties"] or report["money"] or council["policies"] or council["decisions"]):
        lines.append("no differences in who knows what, ties, money or the councils")
    return lines
