"""A design search in a background thread: designs as they arrive, progress, time left, cancel.

Nothing here touches Streamlit: a page starts a job, reads its fields and sets its cancel flag. The search
runs in a thread of the app's process, where the cached model already lives (TensorFlow releases the
interpreter lock while it computes, so the page stays responsive).
"""

import threading
import time
from dataclasses import dataclass, field

from splice_core.design.constraints import DesignInputError
from splice_core.design.search import (
    Design,
    EditRequest,
    PredictMembers,
    ScratchRequest,
    check_request,
    design_steps,
)
from splice_core.runs.job_state import CANCELLED, DONE, FAILED, RUNNING, JobControls


@dataclass
class DesignJob(JobControls):
    """One design search: its request, the designs found so far, status and timing (cancel keeps the designs)."""

    request: EditRequest | ScratchRequest
    designs: list[Design] = field(default_factory=list)
    status: str = RUNNING
    fraction: float = 0.0
    started: float = field(default_factory=time.time)
    finished: float | None = None
    error: str = ""
    cancel_requested: threading.Event = field(default_factory=threading.Event, repr=False)
    ended: threading.Event = field(default_factory=threading.Event, repr=False)

    def remaining(self) -> float | None:
        """Estimated seconds left from the share done so far (None before any progress; 0 once ended)."""
        if not self.active:
            return 0.0
        return self.elapsed() * (1 - self.fraction) / self.fraction if self.fraction > 0 else None

    def run(self, predict: PredictMembers, hold_out: bool) -> None:
        """Run the search to its end or a cancel, recording every design as it arrives."""
        try:
            for fraction, found in design_steps(predict, self.request, hold_out):
                self.designs.extend(found)
                self.fraction = fraction
                if self.cancel_requested.is_set():
                    break
            self.status = CANCELLED if self.cancel_requested.is_set() and self.fraction < 1 else DONE
        except DesignInputError as err:
            self.error, self.status = f"Cannot design: {err}", FAILED
        except Exception as err:  # noqa: BLE001 - a background search reports every failure on the page
            self.error, self.status = f"The design search failed: {type(err).__name__}: {err}", FAILED
        self.finished = time.time()
        self.ended.set()


def start_design(
    predict: PredictMembers, request: EditRequest | ScratchRequest, hold_out: bool = True
) -> DesignJob:
    """A job running ``request`` in a background thread (already started); DesignInputError at once for bad input."""
    check_request(request)
    job = DesignJob(request)
    threading.Thread(target=job.run, args=(predict, hold_out), name="design", daemon=True).start()
    return job
