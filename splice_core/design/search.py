"""Intron design against a model by batched in-silico evolution: the fewest edits toward a goal, or new introns.

``predict(introns, branch)`` returns every ensemble member's prediction ``(N, K)`` (``Predictor.intron_members``).
The search steers the mean of the members it uses; with ``hold_out`` the last member stays out of the search
and is reported beside each design, as an independent check that the design does not just exploit the search's
models. Each search is a generator of ``(fraction done, new designs)`` so a caller can show progress and stop.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from splice_core.analysis.mutagenesis import predict_near
from splice_core.design.constraints import (
    DesignInputError,
    SequenceRules,
    check_rules,
    random_constrained,
)
from splice_core.predict.library_distance import LibraryDistance
from splice_core.seq.encoding import ALPHABET
from splice_core.seq.intron_text import TRAINED_MAX, check_intron

PredictMembers = Callable[[list[str], np.ndarray | None], np.ndarray]
Steps = Iterator[tuple[float, list["Design"]]]
DIRECTIONS = ("target", "high", "low")
MAX_EDITS = 20
MAX_DESIGNS = 500
AGREEMENT = 0.1  # a held-out model agrees with a design when within this of its aim
# The scratch search's loss adds this times a design's library distance past the guessing threshold: steep enough that
# designs stay inside it (with 64 random starts per design, 0.5 let 7-10% of mid-range designs past it; 5: none).
LIBRARY_WEIGHT = 5.0
SPREAD_WEIGHT = 0.5  # the search's loss adds this times the searched members' SD: designs they agree on
# Default length range of new introns: within the library's (its longest is 148 nt).
SCRATCH_LENGTHS = (80, TRAINED_MAX)


@dataclass(frozen=True)
class Goal:
    """What a design aims at: a ``target`` efficiency, or as ``high`` / ``low`` as possible."""

    direction: str = "target"
    target: float | None = None

    def __post_init__(self):
        if self.direction not in DIRECTIONS:
            raise DesignInputError(f"the goal must be one of {', '.join(DIRECTIONS)}, got {self.direction!r}")
        if self.direction == "target" and (self.target is None or not 0 <= self.target <= 1):
            raise DesignInputError(f"the target efficiency must lie within 0..1, got {self.target}")

    def loss(self, predicted: np.ndarray) -> np.ndarray:
        """``(N,)`` distance from the goal (lower is better) of predictions ``(N,)``."""
        if self.direction == "high":
            return -predicted
        if self.direction == "low":
            return predicted
        return np.abs(predicted - self.target)

    def search_loss(self, members: np.ndarray, spread_weight: float) -> np.ndarray:
        """``(N,)`` loss of the searched members' predictions ``(N, S)``: the goal's, plus ``spread_weight`` x their SD."""
        return self.loss(members.mean(1)) + spread_weight * members.std(1)

    def aim(self, predicted: float) -> float:
        """The value an independent model should agree with: the target, or the design's own prediction."""
        return self.target if self.direction == "target" else predicted


@dataclass(frozen=True)
class Design:
    """A designed intron, its edits (named as on the Predict page) and every member's prediction ``(K,)``."""

    sequence: str
    edits: tuple[str, ...]
    members: np.ndarray
    searched: int
    goal: Goal
    kind: str = "edit"

    @property
    def predicted(self) -> float:
        """The ensemble's prediction: the mean of every member, as the Predict page and ``predict`` report it."""
        return float(self.members.mean())

    @property
    def spread(self) -> float:
        """Standard deviation over every member (the ± beside :attr:`predicted`)."""
        return float(self.members.std())

    @property
    def search_mean(self) -> float:
        """Mean of the members the search steered (all but the held-out one): what the search scored."""
        return float(self.members[: self.searched].mean())

    @property
    def held_out(self) -> float | None:
        """The held-out member's prediction (None when every member was searched)."""
        return float(self.members[self.searched :].mean()) if self.searched < len(self.members) else None

    @property
    def held_out_agrees(self) -> bool | None:
        """True when the held-out member lies within 0.1 of :attr:`held_out_aim` (None without one)."""
        held = self.held_out
        return None if held is None else abs(held - self.held_out_aim) <= AGREEMENT

    @property
    def held_out_aim(self) -> float:
        """What the held-out member should agree with: the target, or the searched members' mean for high / low."""
        return self.goal.aim(self.search_mean)


@dataclass(frozen=True)
class EditRequest:
    """Edit ``intron`` with at most ``max_edits`` edits toward ``goal``; ``fixed`` 0-based positions never change."""

    intron: str
    goal: Goal
    max_edits: int = 3
    fixed: frozenset[int] = frozenset()
    deletions: bool = False
    insertions: bool = False
    rules: SequenceRules = field(default_factory=SequenceRules)
    beam: int = 2
    max_length: int = 200
    spread_weight: float = SPREAD_WEIGHT


@dataclass(frozen=True)
class ScratchRequest:
    """``n`` new introns for ``goal`` (a range: targets spread from ``goal.target`` to ``target_high``).

    Each design draws its 5'SS, branch site and 3'SS from the given variants, places its branch site
    ``branch_to_end`` nt before the intron's end, and fills the rest at random within ``rules``.
    """

    goal: Goal
    n: int = 10
    target_high: float | None = None
    lengths: tuple[int, int] = SCRATCH_LENGTHS
    ss5: tuple[str, ...] = ("GTATGT",)
    branch: tuple[str, ...] = ("TACTAAC",)
    ss3: tuple[str, ...] = ("TAG",)
    branch_to_end: tuple[int, int] = (25, 45)
    rules: SequenceRules = field(default_factory=SequenceRules)
    tolerance: float = 0.05
    proposals: int = 16
    max_rounds: int = 60
    seed: int = 0
    starts: int = 64  # random introns per design in the first round (16: mid-range designs less trusted)
    max_length: int = 200
    spread_weight: float = SPREAD_WEIGHT
    library: LibraryDistance | None = None
    library_weight: float = LIBRARY_WEIGHT


def library_penalty(request: ScratchRequest, sequences: list[str]) -> np.ndarray:
    """``(N,)`` how far past the model card's guessing threshold each sequence's library distance lies, times the
    request's ``library_weight`` (zeros without a fitted distance), so that the search stays where the model is not
    guessing."""
    if request.library is None or not sequences:
        return np.zeros(len(sequences))
    excess = request.library.distance(sequences) - request.library.threshold
    return request.library_weight * np.maximum(excess, 0.0)


def search_members(n_members: int, hold_out: bool) -> int:
    """How many members the search uses: all but the last when holding one out of an ensemble."""
    return n_members - 1 if hold_out and n_members > 1 else n_members


def edit_name(intron: str, position: int, kind: str, base: str) -> str:
    """An edit's name at a 0-based original position: ``A15G``, ``delA15`` or ``15_16insG`` (after 15)."""
    if kind == "del":
        return f"del{intron[position]}{position + 1}"
    if kind == "ins":
        return f"{position + 1}_{position + 2}ins{base}"
    return f"{intron[position]}{position + 1}{base}"


@dataclass(frozen=True)
class EditState:
    """A sequence reached from the intron by edits ``{(position, kind): base}`` at original positions."""

    sequence: str
    edits: tuple[tuple[int, str, str], ...] = ()

    def shift(self, length: int) -> np.ndarray:
        """``(length + 1,)`` offset of each original position in the edited sequence."""
        offset = np.zeros(length + 1, int)
        for position, kind, _ in self.edits:
            if kind == "del":
                offset[position + 1 :] -= 1
            elif kind == "ins":
                offset[position + 1 :] += 1
        return offset

    def children(self, request: EditRequest) -> list["EditState"]:
        """Every state one more edit away (none at fixed or already-edited positions)."""
        intron, seq = request.intron, self.sequence
        length = len(intron)
        offset = self.shift(length)
        touched = {p for p, kind, _ in self.edits if kind != "ins"}
        inserted = {p for p, kind, _ in self.edits if kind == "ins"}
        out = []
        for p in range(length):
            c = p + offset[p]
            if p not in request.fixed and p not in touched:
                out += [
                    EditState(seq[:c] + b + seq[c + 1 :], self.edits + ((p, "sub", b),))
                    for b in ALPHABET
                    if b != intron[p]
                ]
                if request.deletions:
                    out.append(EditState(seq[:c] + seq[c + 1 :], self.edits + ((p, "del", ""),)))
            inside_fixed = p in request.fixed and p + 1 in request.fixed
            if (
                request.insertions
                and p < length - 1
                and not inside_fixed
                and p not in inserted
                and (p, "del", "") not in self.edits
            ):
                out += [
                    EditState(seq[: c + 1] + b + seq[c + 1 :], self.edits + ((p, "ins", b),))
                    for b in ALPHABET
                ]
        return out

    def names(self, intron: str) -> tuple[str, ...]:
        """The edits' names in position order."""
        return tuple(edit_name(intron, p, kind, b) for p, kind, b in sorted(self.edits))


def check_edit_request(request: EditRequest) -> None:
    """DesignInputError when the intron cannot be read or nothing may change."""
    check = check_intron(request.intron, request.max_length)
    if check.errors or check.sequence != request.intron:
        raise DesignInputError(
            "intron: " + (" ".join(check.errors) or "give a cleaned DNA sequence (A, C, G, T)")
        )
    if not 1 <= request.max_edits <= MAX_EDITS:
        raise DesignInputError(f"the number of edits must lie within 1..{MAX_EDITS}, got {request.max_edits}")
    if len(request.fixed) >= len(request.intron) and not request.insertions:
        raise DesignInputError("every position is fixed: nothing is left to edit")
    check_rules(request.rules)


def scored(predict: PredictMembers, sequences: list[str], parents: list[str] | None = None) -> np.ndarray:
    """Every member's prediction ``(N, K)`` of sequences, in one call (told the sequence each was edited from)."""
    if parents is None:
        return np.asarray(predict(sequences, None), float).reshape(len(sequences), -1)
    return predict_near(predict, sequences, None, parents, None).astype(float).reshape(len(sequences), -1)


def edit_steps(predict: PredictMembers, request: EditRequest, hold_out: bool = True) -> Steps:
    """Beam search over edits: yields ``(fraction, [best design with j edits])`` for j = 0..max_edits.

    Each step scores every one-edit child of the ``beam`` best states in one batched call (distinct sequences
    once), keeps the ``beam`` best by the goal, and reports the best.
    """
    check_edit_request(request)
    start = EditState(request.intron)
    members = scored(predict, [request.intron])[0]
    searched = search_members(len(members), hold_out)
    yield 0.0, [Design(request.intron, (), members, searched, request.goal)]
    beam, seen = [start], {request.intron}
    for step in range(1, request.max_edits + 1):
        children, parents = {}, {}
        for state in beam:
            for child in state.children(request):
                if (
                    child.sequence not in seen
                    and child.sequence not in children
                    and request.rules.allows(child.sequence)
                ):
                    children[child.sequence], parents[child.sequence] = child, state.sequence
        if not children:
            return
        states = list(children.values())
        predictions = scored(predict, [s.sequence for s in states], [parents[s.sequence] for s in states])
        loss = request.goal.search_loss(predictions[:, :searched], request.spread_weight)
        order = np.argsort(loss, kind="stable")[: request.beam]
        beam = [states[i] for i in order]
        seen.update(children)
        best = order[0]
        design = Design(
            states[best].sequence,
            states[best].names(request.intron),
            predictions[best],
            searched,
            request.goal,
        )
        yield step / request.max_edits, [design]


def targets_of(request: ScratchRequest) -> np.ndarray:
    """``(n,)`` target of each design: the goal's target, or evenly spread over the range."""
    low = request.goal.target
    high = low if request.target_high is None else request.target_high
    if not 0 <= high <= 1 or high < low:
        raise DesignInputError(
            f"the target range must lie within 0..1 with its low end first, got {low}–{high}"
        )
    return np.linspace(low, high, request.n)


def check_scratch_request(request: ScratchRequest) -> None:
    """DesignInputError for a request no design can meet."""
    if request.goal.direction != "target":
        raise DesignInputError("from-scratch designs need a target efficiency (or a range)")
    if not 1 <= request.n <= MAX_DESIGNS:
        raise DesignInputError(f"the number of designs must lie within 1..{MAX_DESIGNS}, got {request.n}")
    low, high = request.lengths
    shortest = min(map(len, request.ss5)) + min(request.branch_to_end) if request.ss5 else 0
    if not request.ss5 or not request.branch or not request.ss3:
        raise DesignInputError("give at least one 5' splice site, branch site and 3' splice site")
    if any(set(s) - set(ALPHABET) for s in (*request.ss5, *request.branch, *request.ss3)):
        raise DesignInputError("splice sites and branch sites may only hold A, C, G, T")
    if not 1 <= low <= high <= request.max_length:
        raise DesignInputError(
            f"the length range must lie within 1..{request.max_length} nt with its minimum first, got {low}–{high}"
        )
    if high < shortest:
        raise DesignInputError(f"introns of at most {high} nt cannot hold the sites ({shortest} nt at least)")
    if max(map(len, request.branch)) + max(map(len, request.ss3)) > min(request.branch_to_end):
        raise DesignInputError(
            "the branch site must end before the 3' splice site: raise the branch-to-end distance"
        )
    if not 0 < request.tolerance <= 0.5:
        raise DesignInputError(f"the tolerance must lie within 0..0.5, got {request.tolerance}")
    check_rules(request.rules)
    for name, variants in (
        ("5' splice site", request.ss5),
        ("branch site", request.branch),
        ("3' splice site", request.ss3),
    ):
        if not allowed_sites(variants, request.rules):
            broken = "; ".join(request.rules.violations(variants[0], check_gc=False))
            raise DesignInputError(
                f"the fixed sites themselves break the rules: every {name} given ({', '.join(variants)}) does, e.g. {broken}"
            )
    targets_of(request)


def allowed_sites(variants: tuple[str, ...], rules: SequenceRules) -> tuple[str, ...]:
    """The site variants that hold no forbidden motif and no over-long run on their own."""
    return tuple(v for v in variants if not rules.violations(v, check_gc=False))


def site_template(rng: np.random.Generator, request: ScratchRequest) -> str:
    """A random layout: sites at their places, ``N`` where the sequence is free."""
    ss5, branch, ss3 = (
        str(rng.choice(allowed_sites(sites, request.rules)))
        for sites in (request.ss5, request.branch, request.ss3)
    )
    to_end = int(rng.integers(request.branch_to_end[0], request.branch_to_end[1] + 1))
    length = int(rng.integers(max(request.lengths[0], len(ss5) + to_end), request.lengths[1] + 1))
    spacer = to_end - len(branch) - len(ss3)
    return ss5 + "N" * (length - len(ss5) - to_end) + branch + "N" * spacer + ss3


def feasible_gc(template: str, rules: SequenceRules) -> bool:
    """True when some filling of ``template``'s free positions lands in the GC range."""
    fixed_gc = sum(b in "GC" for b in template)
    free = template.count("N")
    return (
        fixed_gc / len(template) <= rules.gc[1] + 1e-9
        and (fixed_gc + free) / len(template) >= rules.gc[0] - 1e-9
    )


def random_start(rng: np.random.Generator, request: ScratchRequest) -> tuple[str, str]:
    """(template, random sequence on it keeping the rules); DesignInputError when no layout can."""
    for _ in range(50):
        template = site_template(rng, request)
        if feasible_gc(template, request.rules):
            return template, random_constrained(rng, template, request.rules)
    raise DesignInputError(
        f"no intron with these sites and lengths can reach GC {request.rules.gc[0]:.0%}–{request.rules.gc[1]:.0%}"
    )


def mutants(rng: np.random.Generator, seq: str, template: str, rules: SequenceRules, count: int) -> list[str]:
    """Up to ``count`` distinct random single or double substitutions at free positions that keep the rules."""
    free = np.array([i for i, b in enumerate(template) if b == "N"])
    out: set[str] = set()
    for _ in range(3 * count):
        chosen = rng.choice(free, 1 + (rng.random() < 0.3), replace=False)
        letters = list(seq)
        for i in chosen:
            letters[i] = str(rng.choice([b for b in ALPHABET if b != seq[i]]))
        child = "".join(letters)
        if child != seq and all(rules.local_ok(child, i, i + 1) for i in chosen) and rules.allows(child):
            out.add(child)
            if len(out) == count:
                break
    return list(out)


def scratch_steps(predict: PredictMembers, request: ScratchRequest, hold_out: bool = True) -> Steps:
    """In-silico evolution of ``n`` independent lineages: yields ``(fraction, designs that reached their target)``.

    ``starts`` x ``n`` random sequences are scored in one call and each lineage, in target order, takes the unused one
    closest to its target (random sampling is the first round); every round then scores ``proposals`` random
    mutants of every unfinished lineage in one batched call and keeps a mutant that moves closer to the target.
    A lineage is done once within ``tolerance``; after ``max_rounds`` the rest are reported as they are.
    """
    check_scratch_request(request)
    rng = np.random.default_rng(request.seed)
    targets = targets_of(request)
    starts = [random_start(rng, request) for _ in range(request.n * request.starts)]
    members = scored(predict, [s for _, s in starts])
    searched = search_members(members.shape[1], hold_out)
    goals = [Goal("target", float(t)) for t in targets]
    lineages = []
    start_penalty = library_penalty(request, [s for _, s in starts])
    for goal in goals:
        loss = goal.search_loss(members[:, :searched], request.spread_weight) + start_penalty
        loss[[i for i, s in enumerate(starts) if s is None]] = np.inf
        best = int(loss.argmin())
        lineages.append((*starts[best], members[best], loss[best]))
        starts[best] = None
    active = list(range(request.n))
    for rounds in range(request.max_rounds + 1):
        done = [d for d in active if lineages[d][3] <= request.tolerance]
        if rounds == request.max_rounds:
            done = active
        active = [d for d in active if d not in done]
        yield (
            1 - len(active) / request.n if active else 1.0,
            [scratch_design(lineages[d], searched, goals[d]) for d in done],
        )
        if not active:
            return
        proposals = {
            d: mutants(rng, lineages[d][1], lineages[d][0], request.rules, request.proposals) for d in active
        }
        flat = [s for d in active for s in proposals[d]]
        predictions = scored(predict, flat) if flat else np.zeros((0, members.shape[1]))
        penalty = library_penalty(request, flat)
        row = 0
        for d in active:
            block = predictions[row : row + len(proposals[d])]
            block_loss = (
                goals[d].search_loss(block[:, :searched], request.spread_weight)
                + penalty[row : row + len(block)]
            )
            row += len(proposals[d])
            if not len(block):
                continue
            best = int(block_loss.argmin())
            if block_loss[best] < lineages[d][3]:
                lineages[d] = (lineages[d][0], proposals[d][best], block[best], block_loss[best])


def scratch_design(lineage: tuple[str, str, np.ndarray, float], searched: int, goal: Goal) -> Design:
    """The design a lineage (template, sequence, members, loss) ended with, aimed at its own target."""
    return Design(lineage[1], (), lineage[2], searched, goal, kind="scratch")


def check_request(request: EditRequest | ScratchRequest) -> None:
    """DesignInputError, with a message for the user, when a request cannot be run."""
    if isinstance(request, EditRequest):
        check_edit_request(request)
    else:
        check_scratch_request(request)


def design_steps(
    predict: PredictMembers, request: EditRequest | ScratchRequest, hold_out: bool = True
) -> Steps:
    """The search of a request: ``(fraction done, new designs)`` after each batch."""
    return (
        edit_steps(predict, request, hold_out)
        if isinstance(request, EditRequest)
        else scratch_steps(predict, request, hold_out)
    )


def design(
    predict: PredictMembers, request: EditRequest | ScratchRequest, hold_out: bool = True
) -> list[Design]:
    """Every design of a request, run to the end."""
    return [d for _, batch in design_steps(predict, request, hold_out) for d in batch]
