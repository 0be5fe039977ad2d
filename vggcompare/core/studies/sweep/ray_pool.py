"""Running a sweep's groups on Ray: an actor pool, one model per actor, each actor sized in CPUs (or GPUs).

Without an address a local Ray instance starts with this machine's cores; with one, the driver joins
that cluster (every node needs vggcompare installed with the ``ray`` extra, and a model file at the
same path). Images travel to the actors as file bytes, so the nodes need no shared folder.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from typing import Callable, Generator

from vggcompare.core.errors import ConfigError, VggCompareError
from vggcompare.core.job_driver import drive
from vggcompare.core.studies.sweep.worker import Item

Event = tuple  # ("tick",) | ("ready", model description) | ("group", rows, thumbnails, passes)
IN_FLIGHT_PER_ACTOR = 2
_CLUSTER_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
REACH_TIMEOUT_S = 5.0  # an address that does not answer in this time is refused (Ray itself waits minutes)


def check_reachable(address: str, timeout: float = REACH_TIMEOUT_S) -> None:
    """Refuse, in one sentence, a ``host:port`` (or ``ray://host:port``) nothing answers at.

    The connection waits ``timeout`` seconds at most; looking up a host name takes what the system's
    resolver takes. ``auto`` and other forms without a port are left to Ray.
    """
    where = address.split("://", 1)[-1]
    host, sep, port = where.rpartition(":")
    if not sep or not host or not port.isdigit():
        return
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as exc:
        reason = "no answer" if isinstance(exc, TimeoutError) else (exc.strerror or type(exc).__name__).lower()
        raise ConfigError(f"cannot reach a Ray cluster at {address} ({reason} within {timeout:g} s); "
                          "check the address, and that the cluster's head node is running") from None


def _import_ray():
    try:
        import ray
    except ImportError:
        raise ConfigError('the Ray engine needs the ray extra: pip install "vggcompare[ray]"') from None
    return ray


@contextlib.contextmanager
def _loopback_only(local: bool):
    """A local instance listens on 127.0.0.1 only, not on the machine's network address (Ray's default on Linux).

    Ray picks the node address through ``ray_constants.ENABLE_RAY_CLUSTER``; its processes started meanwhile
    inherit the same choice through the environment variable that sets it.
    """
    if not local:
        yield
        return
    from ray._private import ray_constants

    saved = os.environ.get(_CLUSTER_ENV), ray_constants.ENABLE_RAY_CLUSTER
    os.environ[_CLUSTER_ENV], ray_constants.ENABLE_RAY_CLUSTER = "0", False
    try:
        yield
    finally:
        ray_constants.ENABLE_RAY_CLUSTER = saved[1]
        if saved[0] is None:
            os.environ.pop(_CLUSTER_ENV, None)
        else:
            os.environ[_CLUSTER_ENV] = saved[0]


def _actor_class(ray):
    class SweepActor:
        """A Ray actor holding one SweepWorker (one model)."""

        def __init__(self, variants: list, group: int, threads: int, allow_download: bool, trust_model: bool) -> None:
            from vggcompare.core.config import ExperimentConfig
            from vggcompare.core.studies.sweep.worker import SweepWorker

            # A configuration's dict never carries the user's trust (core.model.trust): the driver passes it apart.
            configs = [(n, ExperimentConfig.from_dict(c).replace(trust_model=trust_model)) for n, c in variants]
            self.worker = SweepWorker(configs, group, allow_download)
            self.worker.start(threads)

        def describe(self) -> str:
            return self.worker.model_description

        def run(self, items: list) -> tuple:
            counts: list[int] = []
            rows, thumbs = drive(self.worker.run_group(items), counts.append)
            return rows, thumbs, sum(counts)

    return ray.remote(SweepActor)


def _unwrap(exc: BaseException) -> VggCompareError:
    cause = getattr(exc, "cause", None)
    if isinstance(cause, VggCompareError):
        return cause
    first = (str(cause or exc).strip().splitlines() or [type(exc).__name__])[-1][:200]
    return VggCompareError(f"a Ray worker failed ({first})")


def run_groups_on_ray(
    variants: list,
    group: int,
    groups: list,
    items_of: Callable[[list], list[Item]],
    *,
    address: str | None = None,
    cpus_per_actor: int | None = None,
    gpus_per_actor: float = 0,
    threads: int | None = None,
    allow_download: bool = True,
    trust_model: bool = False,
    poll: float = 0.5,
    say: Callable[[str], None] = lambda _m: None,
) -> Generator[Event, None, None]:
    """Send each group to an actor of the pool and yield events as they come back (ticks between them).

    ``variants`` are ``(name, config dict)`` pairs; ``trust_model`` is the user's trust in a model form that is a
    program (a SavedModel folder, an .h5 read by tf_keras), which a config dict never holds.
    """
    if address:
        check_reachable(address)
    ray = _import_ray()
    cpus = cpus_per_actor or os.cpu_count() or 1
    if cpus < 1 or gpus_per_actor < 0:
        raise ConfigError("CPUs per actor must be at least 1, and GPUs per actor at least 0")
    say("Starting a local Ray instance…" if not address else f"Joining the Ray cluster at {address}…")
    logger = logging.getLogger("ray")
    level = logger.level
    logger.setLevel(logging.ERROR)  # Ray's start-up notices would cut through the progress bar
    try:
        with _loopback_only(not address):
            ray.init(address=address, num_cpus=None if address else (os.cpu_count() or 1), include_dashboard=False,
                     log_to_driver=False, configure_logging=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ConfigError(f"cannot start or join Ray{f' at {address}' if address else ''} ({str(exc).splitlines()[0][:160]})") from None
    finally:
        logger.setLevel(level)
    try:
        resources = ray.cluster_resources()
        count = int(resources.get("CPU", 1) // cpus)
        if gpus_per_actor:
            count = min(count, int(resources.get("GPU", 0) // gpus_per_actor))
        if count < 1:
            raise ConfigError(f"the Ray cluster has too few resources for one actor of {cpus} CPU(s)"
                              + (f" and {gpus_per_actor} GPU(s)" if gpus_per_actor else ""))
        count = max(1, min(count, len(groups)))
        Actor = _actor_class(ray).options(num_cpus=cpus, num_gpus=gpus_per_actor or 0)
        say(f"Starting {count} Ray actor(s), {cpus} CPU(s) each, one model in each…")
        # Each actor's TensorFlow uses as many threads as it has CPUs, as the local engine uses the machine's.
        actors = [Actor.remote(variants, group, threads or cpus, allow_download, trust_model) for _ in range(count)]
        ready_ref = actors[0].describe.remote()
        while not ray.wait([ready_ref], timeout=poll)[0]:
            yield ("tick",)  # the actors are importing TensorFlow and building the model
        try:
            description = ray.get(ready_ref)
        except Exception as exc:  # noqa: BLE001 - Ray wraps the actor's own error
            raise _unwrap(exc) from None
        yield ("ready", description)
        queue = list(reversed(groups))
        running: dict = {}
        for actor in actors * IN_FLIGHT_PER_ACTOR:
            if queue:
                running[actor.run.remote(items_of(queue.pop()))] = actor
        while running:
            ready, _ = ray.wait(list(running), num_returns=1, timeout=poll)
            if not ready:
                yield ("tick",)
                continue
            ref = ready[0]
            actor = running.pop(ref)
            try:
                rows, thumbs, done = ray.get(ref)
            except Exception as exc:  # noqa: BLE001
                raise _unwrap(exc) from None
            if queue:
                running[actor.run.remote(items_of(queue.pop()))] = actor
            yield ("group", rows, thumbs, done)
    finally:
        ray.shutdown()
