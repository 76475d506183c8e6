"""The critical path method on working-day numbers: forward and backward pass, total float, cycles.

Times are working-day numbers; a task starting on day `es` with duration `d` occupies days es .. es+d-1 and
its early finish `ef` = es + d (exclusive end). A dependency with lag L constrains the successor:

    FS: start(s)  >= finish(p) + L        SS: start(s)  >= start(p) + L
    FF: finish(s) >= finish(p) + L        SF: finish(s) >= start(p) + L

The backward pass applies the same rules the other way round from the project finish (the latest early
finish). Total float = late start - early start; tasks with zero float form the critical path.
Everything runs in O(tasks + dependencies) on integer arrays, so thousands of tasks take milliseconds.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Mapping, Sequence

TYPES = ("FS", "SS", "FF", "SF")


@dataclasses.dataclass(frozen=True)
class Link:
    predecessor: str
    successor: str
    type: str = "FS"
    lag: int = 0


@dataclasses.dataclass(frozen=True)
class Timing:
    early_start: int
    early_finish: int
    late_start: int
    late_finish: int

    @property
    def total_float(self) -> int:
        return self.late_start - self.early_start

    @property
    def is_critical(self) -> bool:
        return self.total_float <= 0


class CycleError(ValueError):
    """The dependencies form a cycle; `cycle` lists its task ids, the first repeated at the end."""

    def __init__(self, cycle: list[str]) -> None:
        super().__init__(" -> ".join(cycle))
        self.cycle = cycle


@dataclasses.dataclass(frozen=True)
class Plan:
    timings: dict[str, Timing]
    finish: int

    def critical(self) -> list[str]:
        """The critical tasks in order of early start (then early finish)."""
        ids = [task_id for task_id, timing in self.timings.items() if timing.is_critical]
        return sorted(
            ids, key=lambda task_id: (self.timings[task_id].early_start, self.timings[task_id].early_finish)
        )


class _Graph:
    """Tasks as indexes 0..n-1 with outgoing links, in a topological order (or a CycleError)."""

    def __init__(self, durations: Mapping[str, int], links: Sequence[Link]) -> None:
        self.ids = list(durations)
        self.index = {task_id: position for position, task_id in enumerate(self.ids)}
        self.duration = [durations[task_id] for task_id in self.ids]
        self.outgoing: list[list[tuple[int, str, int]]] = [[] for _ in self.ids]
        self.incoming: list[list[tuple[int, str, int]]] = [[] for _ in self.ids]
        for link in links:
            p, s = self.index[link.predecessor], self.index[link.successor]
            self.outgoing[p].append((s, link.type, link.lag))
            self.incoming[s].append((p, link.type, link.lag))
        self.order = self._topological_order()

    def _topological_order(self) -> list[int]:
        waiting = [len(links) for links in self.incoming]
        ready = deque(node for node, count in enumerate(waiting) if count == 0)
        order: list[int] = []
        while ready:
            node = ready.popleft()
            order.append(node)
            for successor, _type, _lag in self.outgoing[node]:
                waiting[successor] -= 1
                if waiting[successor] == 0:
                    ready.append(successor)
        if len(order) < len(self.ids):
            raise CycleError(self._a_cycle({n for n, count in enumerate(waiting) if count > 0}))
        return order

    def _a_cycle(self, stuck: set[int]) -> list[str]:
        """Walk predecessors inside the stuck nodes (each has one there) until a node repeats."""
        node = min(stuck)
        seen: dict[int, int] = {}
        path: list[int] = []
        while node not in seen:
            seen[node] = len(path)
            path.append(node)
            node = next(p for p, _t, _l in self.incoming[node] if p in stuck)
        cycle = list(reversed(path[seen[node] :]))
        return [self.ids[n] for n in [*cycle, cycle[0]]]


def schedule(
    durations: Mapping[str, int], links: Sequence[Link], not_before: Mapping[str, int] | None = None
) -> Plan:
    """Early and late dates and float of every task; `not_before` holds start constraints (default 0)."""
    graph = _Graph(durations, links)
    early = _forward(graph, not_before or {})
    finish = max((start + duration for start, duration in zip(early, graph.duration, strict=True)), default=0)
    late_finish = _backward(graph, finish)
    timings = {
        task_id: Timing(
            early[n], early[n] + graph.duration[n], late_finish[n] - graph.duration[n], late_finish[n]
        )
        for n, task_id in enumerate(graph.ids)
    }
    return Plan(timings, finish)


def _forward(graph: _Graph, not_before: Mapping[str, int]) -> list[int]:
    duration = graph.duration
    early = [max(not_before.get(task_id, 0), 0) for task_id in graph.ids]
    for node in graph.order:
        start, finish = early[node], early[node] + duration[node]
        for successor, kind, lag in graph.outgoing[node]:
            if kind == "FS":
                bound = finish + lag
            elif kind == "SS":
                bound = start + lag
            elif kind == "FF":
                bound = finish + lag - duration[successor]
            else:  # SF
                bound = start + lag - duration[successor]
            if bound > early[successor]:
                early[successor] = bound
    return early


def _backward(graph: _Graph, project_finish: int) -> list[int]:
    duration = graph.duration
    late_finish = [project_finish] * len(graph.ids)
    for node in reversed(graph.order):
        own = duration[node]
        best = late_finish[node]
        for successor, kind, lag in graph.outgoing[node]:
            successor_finish = late_finish[successor]
            if kind == "FS":
                bound = successor_finish - duration[successor] - lag
            elif kind == "SS":
                bound = successor_finish - duration[successor] - lag + own
            elif kind == "FF":
                bound = successor_finish - lag
            else:  # SF
                bound = successor_finish - lag + own
            best = min(best, bound)
        late_finish[node] = best
    return late_finish


def cycle_with(links: Sequence[Link], new: Link) -> list[str] | None:
    """The cycle `new` would close (task ids, predecessor first and last), or None when it closes none."""
    if new.predecessor == new.successor:
        return [new.predecessor, new.predecessor]
    outgoing: dict[str, list[str]] = {}
    for link in links:
        outgoing.setdefault(link.predecessor, []).append(link.successor)
    parents: dict[str, str] = {new.successor: new.predecessor}
    queue = deque([new.successor])
    while queue:
        node = queue.popleft()
        if node == new.predecessor:
            path = [node]
            while path[-1] != new.successor:
                path.append(parents[path[-1]])
            return [new.predecessor, *reversed(path)]
        for successor in outgoing.get(node, ()):
            if successor not in parents:
                parents[successor] = node
                queue.append(successor)
    return None
