"""JW/WMO 301, 305 and 307 messages for the voorzieningen that have a toewijzing.

One message per client, kind, provider and dagtekening: products of one beschikking share
their dates, so they travel in one message, which keeps the file count moderate.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from zicht.synth._files import SURNAMES, first_names, product_codes
from zicht.synth._population import Population
from zicht.synth._provisions import JEUGD, WMO, Spells
from zicht.synth._writers import NO_DATE, to_date
from zicht.synth.messages import ClientMessage, Product, write_message

IntArray = npt.NDArray[np.int64]
_FOLDER = {"jeugd": ("ijw", "JW"), "wmo": ("iwmo", "WMO")}


def write(
    root: Path,
    s: Spells,
    pop: Population,
    gemeente: str,
    agb: npt.NDArray[np.object_],
    extraction: int,
    next_id: int,
) -> tuple[int, int]:
    """Write the chunk's messages of one law; return (files written, next message id)."""
    types = JEUGD if s.law == "jeugd" else WMO
    sel = np.flatnonzero(np.array([t.toewijzing for t in types])[s.kind])
    folder, prefix = _FOLDER[s.law]
    out = root / "berichten" / folder
    out.mkdir(parents=True, exist_ok=True)
    codes = product_codes(s)
    ended = s.end[sel] < NO_DATE
    # Dagtekening offsets derive from the dates, so products of one beschikking agree.
    kinds: list[tuple[str, IntArray, IntArray]] = [
        ("301", sel, s.beschikking[sel] + s.beschikking[sel] % 4),
        ("305", sel, s.start[sel] + s.start[sel] % 6),
        ("307", sel[ended], s.end[sel[ended]] + 1 + s.end[sel[ended]] % 5),
    ]
    # A stop reason per product: death, else planned (3 in 4) or early; JZ588 and WMO588
    # differ in their codes for the latter two.
    planned, early = ("31", "32") if s.law == "jeugd" else ("19", "21")
    reason = np.where(s.died, "02", np.where(s.toewijzing % 4 == 0, early, planned))
    files = 0
    surnames = SURNAMES[pop.surname]
    names = first_names(pop, np.arange(pop.n))
    for kind, idx, dag in kinds:
        keep = dag <= extraction
        idx, dag = idx[keep], dag[keep]
        order = np.lexsort((s.toewijzing[idx], dag, s.provider[idx], s.person[idx]))
        idx, dag = idx[order], dag[order]
        key = np.stack([s.person[idx], s.provider[idx], dag])
        cut = np.flatnonzero(np.any(key[:, 1:] != key[:, :-1], axis=0)) + 1
        for group in np.split(np.arange(len(idx)), cut):
            if not len(group):
                continue
            rows = idx[group]
            p = int(s.person[rows[0]])
            products = tuple(
                Product(
                    toewijzing_nr=str(int(s.toewijzing[r])),
                    product_category=types[int(s.kind[r])].category,
                    product_code=str(codes[r]),
                    start=to_date(int(s.start[r])),
                    end=None if s.end[r] >= NO_DATE else to_date(int(s.end[r])),
                    volume=int(s.volume[r]),
                    unit=types[int(s.kind[r])].unit,
                    frequency=types[int(s.kind[r])].frequency,
                    reason_end=str(reason[r]) if kind == "307" else None,
                )
                for r in rows.tolist()
            )
            msg = ClientMessage(
                law=s.law,
                kind=kind,
                gemeente_code=gemeente,
                provider_code=str(agb[int(s.provider[rows[0]])]),
                message_id=str(next_id),
                dagtekening=to_date(int(dag[group[0]])),
                bsn=f"{int(pop.bsn[p]):09d}",
                birth_date=to_date(int(pop.birth[p])),
                sex=str(int(pop.sex[p])),
                surname=str(surnames[p]),
                first_names=str(names[p]),
                products=products,
            )
            write_message(out / f"{prefix}{kind}_{next_id}.xml", msg)
            next_id += 1
            files += 1
    return files, next_id
