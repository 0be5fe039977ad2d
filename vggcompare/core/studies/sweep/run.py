"""Running a sweep: many images × a preset's variants against a reference, resumable, locally or on Ray.

:func:`run_sweep` is a generator job (the window runs it in its engine process): it yields
:class:`SweepProgress` after every forward call (local) or at least twice a second (Ray), each a
cancellation point, and returns a :class:`SweepOutcome`. Rows are committed to ``DIR/sweep.sqlite`` one
group of images at a time; ``DIR/rows.csv`` and ``DIR/summary.json`` are rewritten atomically as it goes.
Running it again on the same folder and settings resumes: finished groups are skipped, new images appended.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generator

from vggcompare.core.config import ExperimentConfig
from vggcompare.core.errors import ConfigError
from vggcompare.core.job_driver import relay
from vggcompare.core.passes.engine import Progress
from vggcompare.core.studies.sweep.plan import (
    Variant, check_variants, find_images, group_images, plan_groups, preset_variants, sweep_settings,
)
from vggcompare.core.storage.sweep_files import write_outputs
from vggcompare.core.storage.sweep_table import SweepTable

WRITE_EVERY_S = 2.0  # rows.csv and summary.json are rewritten at most this often while running, and at the end


@dataclass(frozen=True)
class SweepProgress(Progress):
    """Progress in passes, with the current summary when the outputs were just rewritten."""

    summary: dict | None = None


@dataclass
class SweepOutcome:
    """A finished sweep: its folder, its summary (as summary.json holds it), and what it did this time."""

    folder: str
    summary: dict
    notes: list[str] = field(default_factory=list)
    groups_run: int = 0
    passes_run: int = 0  # forward passes run this time (images that could not be read run none)
    seconds: float = 0.0


def run_sweep(
    source: str,
    out_dir: str,
    config: ExperimentConfig,
    preset: str | None = None,
    variants: list[Variant] | None = None,
    engine: str = "local",
    address: str | None = None,
    cpus_per_actor: int | None = None,
    gpus_per_actor: float = 0,
    allow_download: bool = True,
) -> Generator[SweepProgress, None, SweepOutcome]:
    """Run (or resume) a sweep of the images in ``source`` (a folder or a list file) into ``out_dir``.

    Parameters
    ----------
    config : ExperimentConfig
        The run options every variant starts from (model, passes, seed…).
    preset, variants : str or list of (name, ExperimentConfig)
        Either a preset's steps or explicit variants; the reference comes first.
    engine : {"local", "ray"}
        Where the groups run; ``address`` joins an existing Ray cluster.

    Raises
    ------
    ConfigError
        Bad settings, no images, or ``out_dir`` holds a sweep with other settings.
    """
    t0 = time.perf_counter()
    notes: list[str] = []
    if variants is None:
        if preset is None:
            raise ConfigError("choose a preset or give a list of variants")
        variants, notes = preset_variants(preset, config)
    if engine not in ("local", "ray"):
        raise ConfigError(f"the engine must be local or ray, not {engine!r}")
    check_variants(variants)
    root, paths = find_images(source)
    group = group_images(variants)
    settings = sweep_settings(root, variants, group)
    table = SweepTable(out_dir)
    try:
        if table.settings is None:
            table.set_settings(settings)
        elif table.settings != settings:
            raise ConfigError(f"{out_dir} holds a sweep with other settings (folder, variants or passes); "
                              "choose another output folder, or start it again there")
        added = table.add_images(paths)
        finished = table.finished_images(len(variants))
        pending = [i for i, _ in table.images() if i not in finished]
        if finished:
            notes.append(f"Resumed: {len(finished)} image(s) were already done; {len(pending)} to go"
                         + (f", {added} of them new." if added and len(finished) else "."))
        names = dict(table.images())
        groups = plan_groups(pending, group)
        per_image = sum(cfg.passes for _, cfg in variants)
        total = len(pending) * per_image
        summary = write_outputs(out_dir, table)
        yield SweepProgress("loading", 0, total, time.perf_counter() - t0, None,
                            f"{len(pending)} image(s) × {len(variants)} variants to run", summary)

        def items_of(indices: list[int]) -> list:
            return [(i, names[i], _read(root, names[i])) for i in indices]

        events = _local_events(variants, group, groups, items_of, allow_download) if engine == "local" else \
            _ray_events(variants, group, groups, items_of, address, cpus_per_actor, gpus_per_actor, config.threads, allow_download)
        done = run = ran = 0
        t_run, last_write = None, time.perf_counter()
        for event in events:
            if event[0] == "ready":
                table.put("model", event[1])
                t_run = time.perf_counter()
                summary = None
            elif event[0] == "passes":
                done += event[1]
                summary = None
            elif event[0] == "group":
                table.add_rows(event[1], event[2])
                done, run = done + (event[3] if engine == "ray" else 0), run + 1
                ran += sum(r["passes"] for r in event[1] if not r.get("error"))
                summary = None
                if time.perf_counter() - last_write >= WRITE_EVERY_S:
                    summary, last_write = write_outputs(out_dir, table), time.perf_counter()
            else:
                summary = None
            elapsed = time.perf_counter() - t0
            eta = (time.perf_counter() - t_run) / done * (total - done) if t_run and done else None
            yield SweepProgress("passes", done, total, elapsed, eta, f"Group {run} of {len(groups)} done", summary)
        summary = write_outputs(out_dir, table)
        return SweepOutcome(str(out_dir), summary, notes, run, ran, round(time.perf_counter() - t0, 3))
    finally:
        table.close()


def _read(root: Path, name: str) -> bytes | str:
    """A file's bytes, or one sentence saying why it cannot be read (the worker turns it into an error row)."""
    path = root / name
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return f"The image file '{name}' does not exist (any more)."
    except IsADirectoryError:
        return f"'{name}' is a folder, not an image file."
    except OSError as exc:
        return f"The image file '{name}' cannot be read ({exc.strerror or exc})."


def _local_events(variants, group, groups, items_of, allow_download):
    from vggcompare.core.studies.sweep.worker import SweepWorker

    worker = SweepWorker(variants, group, allow_download)
    worker.start()
    yield ("ready", worker.model_description)
    for indices in groups:
        rows, thumbs = yield from relay(worker.run_group(items_of(indices)), lambda done: ("passes", done))
        yield ("group", rows, thumbs)


def _ray_events(variants, group, groups, items_of, address, cpus, gpus, threads, allow_download):
    from vggcompare.core.studies.sweep.ray_pool import run_groups_on_ray

    plain = [(n, cfg.to_dict()) for n, cfg in variants]
    yield from run_groups_on_ray(plain, group, groups, items_of, address=address, cpus_per_actor=cpus,
                                 gpus_per_actor=gpus, threads=threads, allow_download=allow_download,
                                 trust_model=variants[0][1].trust_model)


__all__ = ["SweepOutcome", "SweepProgress", "run_sweep"]
