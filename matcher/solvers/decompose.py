"""Exact reductions of the aggregated programme for the lexicographic solve.

Two facts make the national case small enough to prove quickly:

1. **Levels 1–3 do not need direct housing of uncoupled households.**  For a household not yet
   coupled, nobody of whose class is overdue, coupling it to municipality *m* is at least as good
   on levels 1–3 as housing it in a home of *m*: the same placement, the same quota, no home used,
   no move (a temporary home costs one).  So levels 1–3 are solved on the programme without those
   ``house`` variables (:attr:`Reduction.sub`); the optimal values are the same.  Level 4, where
   an empty home filled counts, is solved on the whole programme.
2. **Fixing a level component by component.**  The reduced programme falls apart into
   independent components (households and homes that share no constraint).  A level's optimum is
   the sum of the components' optima, so fixing the sum is the same as fixing every component at
   its own optimum: many small rows instead of one dense row over the whole country, which is
   what the solvers' presolve and cuts struggle with.  On the whole programme, a dropped
   ``house`` variable belongs to the component of the ``couple`` variable it stands in for.

Proof sketch for the second fact on the whole programme: map any solution to the reduced
programme by turning each direct housing of an uncoupled household into a coupling to the same
municipality.  Per component this keeps overdue relief and placement and does not add moves;
since every component of the reduced programme is at most its optimum and the sums are fixed
at the sum of the optima, every component is exactly at its optimum, and no move was saved.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.solvers.formulation import Constraint, Formulation


@dataclass
class Reduction:
    """The reduced programme for levels 1–3 and how it maps onto the whole one."""

    full: Formulation
    sub: Formulation
    keep: list[int]
    """Reduced variable index -> whole-programme variable index."""
    image: dict[int, int]
    """Dropped ``house`` variable -> the ``couple`` variable (same class and municipality)."""
    component: list[int]
    """Whole-programme variable -> component id (components of the reduced programme)."""

    def to_full(self, values: list[int]) -> list[int]:
        out = [0] * len(self.full.vars)
        for i, v in enumerate(self.keep):
            out[v] = values[i]
        return out

    def to_sub(self, values: list[int] | None) -> list[int] | None:
        """A whole-programme solution moved onto the reduced one (direct housings of uncoupled
        households become couplings); ``None`` stays ``None``."""
        if values is None:
            return None
        values = list(values)
        moved: dict[int, int] = {}
        for var, couple in self.image.items():
            if values[var]:
                values[couple] += values[var]
                ci = self._class_of_house[var]
                moved[ci] = moved.get(ci, 0) + values[var]
                values[var] = 0
        for ci, count in moved.items():
            # Fewer of the class are housed (its buckets hold nobody overdue, so which bucket
            # gives them up does not matter for levels 1-3); all stay placed.
            for hv in self._housed_vars[ci]:
                take = min(count, values[hv])
                values[hv] -= take
                count -= take
            if count:
                return None
        out = [values[v] for v in self.keep]
        if any(value > self.sub.vars[i].upper for i, value in enumerate(out)):
            return None
        return out

    def relevant(self, level: int, values: list[int], maximise: bool) -> list[int]:
        """Reduced-programme variables that solving ``level`` may have to change, given the
        reduced-programme solution ``values``: those in the components where the level has
        terms and ``values`` do not already reach the best the terms could give at all (every
        variable at its better bound).  Other components are independent of these and are
        already optimal for this level."""
        value: dict[int, int] = {}
        best: dict[int, int] = {}
        for i, coef in self.sub.objectives[level]:
            c = self.component[self.keep[i]]
            value[c] = value.get(c, 0) + coef * values[i]
            better_at_upper = (coef > 0) == maximise
            best[c] = best.get(c, 0) + (coef * self.sub.vars[i].upper if better_at_upper else 0)
        open_components = {c for c in value if value[c] != best[c]}
        return [i for i, v in enumerate(self.keep) if self.component[v] in open_components]

    def rows(self, level: int, values_full: list[int], reduced: bool) -> list[Constraint]:
        """Rows fixing ``level`` component by component at the values of ``values_full``,
        over the reduced programme's variables (``reduced``) or the whole programme's."""
        by_component: dict[int, list[tuple[int, int]]] = {}
        for var, coef in self.full.objectives[level]:
            by_component.setdefault(self.component[var], []).append((var, coef))
        out = []
        index = {v: i for i, v in enumerate(self.keep)} if reduced else None
        for terms in by_component.values():
            value = sum(coef * values_full[var] for var, coef in terms)
            if index is not None:
                terms = [(index[var], coef) for var, coef in terms if var in index]
                if not terms:
                    continue
            out.append(Constraint(terms, value, value))
        return out

    def __post_init__(self) -> None:
        self._class_of_house = {var: ci for ci, var, _ in self.full.house_vars if var in self.image}
        self._housed_vars: dict[int, list[int]] = {}
        for ci, _, hv, _ in self.full.bucket_vars:
            self._housed_vars.setdefault(ci, []).append(hv)


def dominated_house_vars(f: Formulation) -> dict[int, int]:
    """``house`` variables of uncoupled classes that levels 1–3 can do without, each with the
    ``couple`` variable of the same class and municipality."""
    instance = f.rules.instance
    locked = {lock.household_id for lock in instance.locks}
    relief = {var for var, _ in f.objectives[0]}
    overdue_classes = {ci for ci, _, hv, _ in f.bucket_vars if hv in relief}
    couple = {(ci, code): var for ci, var, code in f.couple_vars}
    out: dict[int, int] = {}
    for ci, var, slot in f.house_vars:
        c = f.classes[ci]
        if c.first.is_coupled or ci in overdue_classes or c.first.household_id in locked:
            continue
        target = couple.get((ci, slot.first.municipality))
        if target is not None:
            out[var] = target
    return out


def reduce(f: Formulation) -> Reduction:
    """The reduced programme of ``f`` and its components."""
    image = dominated_house_vars(f)
    keep = [v for v in range(len(f.vars)) if v not in image]
    index = {v: i for i, v in enumerate(keep)}
    sub = Formulation(f.rules)
    sub.vars = [f.vars[v] for v in keep]
    sub.constants = list(f.constants)
    sub.classes = f.classes
    sub.objectives = tuple([(index[v], c) for v, c in terms if v in index] for terms in f.objectives)
    for c in f.constraints:
        terms = [(index[v], k) for v, k in c.terms if v in index]
        if terms:
            sub.constraints.append(Constraint(terms, c.lower, c.upper))
        elif (c.lower is not None and c.lower > 0) or (c.upper is not None and c.upper < 0):
            sub.constraints.append(Constraint(terms, c.lower, c.upper))  # infeasible; let the solver say so

    parent = list(range(len(f.vars)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for c in f.constraints:
        kept = [v for v, _ in c.terms if v in index]
        if kept:
            root = find(kept[0])
            for v in kept[1:]:
                r = find(v)
                if r != root:
                    parent[r] = root
    component = [find(v) for v in range(len(f.vars))]
    for var, couple in image.items():
        component[var] = component[couple]
    return Reduction(full=f, sub=sub, keep=keep, image=image, component=component)


def restrict(f: Formulation, keep: list[int], rows: list[Constraint]) -> Formulation:
    """The programme ``f`` plus ``rows`` on the variables ``keep`` (whole components: every row
    lies either inside them or outside), the other variables held where they are."""
    index = {v: i for i, v in enumerate(keep)}
    sub = Formulation(f.rules)
    sub.vars = [f.vars[v] for v in keep]
    sub.constants = list(f.constants)
    sub.classes = f.classes
    sub.objectives = tuple([(index[v], c) for v, c in terms if v in index] for terms in f.objectives)
    for c in (*f.constraints, *rows):
        terms = [(index[v], k) for v, k in c.terms if v in index]
        if terms:
            if len(terms) != len(c.terms):
                raise ValueError("a row crosses the boundary of the kept components")
            sub.constraints.append(Constraint(terms, c.lower, c.upper))
    return sub


def dense_row(f: Formulation, level: int, value: int, maximise: bool) -> Constraint:
    """One row keeping ``level`` at least as good as ``value`` (objective value, constant included)."""
    value -= f.constants[level]
    terms = list(f.objectives[level])
    return Constraint(terms, value, None) if maximise else Constraint(terms, None, value)
