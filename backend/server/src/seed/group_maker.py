"""Gruppindelning: an interactive tool. Step 1 reads names; each next step makes or reshuffles
groups of the chosen size, carrying the names in `state`."""
import random

from skriptoteket import ToolUserError, action, form_action, input_files, inputs, markdown, table


def _names_from_inputs():
    names = []
    for f in input_files():
        with open(f["path"], encoding="utf-8-sig") as handle:
            names += [line.strip().split(",")[0] for line in handle if line.strip()]
    names += [n.strip() for n in (inputs().get("names") or "").splitlines() if n.strip()]
    return names


def _group_form(prefill_size):
    return form_action(
        "make_groups",
        "Dela in i grupper",
        [
            {"name": "size", "kind": "integer", "label": "Elever per grupp", "required": True, "min": 2, "max": 10},
            {"name": "seed", "kind": "string", "label": "Slumpfrö (valfritt)"},
        ],
        prefill={"size": prefill_size},
    )


def run_tool(input_dir, output_dir):
    step = action()
    if step is None:
        names = _names_from_inputs()
        if len(names) < 2:
            raise ToolUserError("Ange minst två namn, en per rad, eller ladda upp en klasslista.")
        return {
            "outputs": [markdown(f"## {len(names)} elever inlästa\nVälj gruppstorlek för att fortsätta.")],
            "next_actions": [_group_form(3)],
            "state": {"names": names},
        }

    names = (step.get("state") or {}).get("names") or []
    size = int(step["input"]["size"])
    rng = random.Random(step["input"].get("seed") or None)
    shuffled = names[:]
    rng.shuffle(shuffled)
    groups = [shuffled[i : i + size] for i in range(0, len(shuffled), size)]
    rows = [{"grupp": f"Grupp {n}", "elever": ", ".join(members)} for n, members in enumerate(groups, 1)]
    return {
        "outputs": [
            markdown(f"## {len(groups)} grupper"),
            table(columns=[{"key": "grupp", "label": "Grupp"}, {"key": "elever", "label": "Elever"}], rows=rows),
        ],
        "next_actions": [_group_form(size)],
        "state": {"names": names},
    }
