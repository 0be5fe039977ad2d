"""docs/notebook.ipynb runs green in a real Jupyter kernel, and its outputs say what the API found."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "notebook.ipynb"


def _outputs(cell) -> tuple[str, str]:
    text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream" and o.get("name") == "stdout")
    page = "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs if o.get("output_type") == "execute_result")
    return text, page


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from jupyter_client.kernelspec import NATIVE_KERNEL_NAME

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name=NATIVE_KERNEL_NAME,
                                     resources={"metadata": {"path": str(tmp_path_factory.mktemp("nb"))}})
    client.execute()
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_the_run_shows_its_top1_label_in_the_html(executed):
    text, page = _outputs(executed[1])
    top1 = text.split("top-1:", 1)[1].strip()
    assert top1 and f"top-1 {top1}" in page and "<svg" in page and "±" in page


def test_the_checkup_says_why_a_cause_cannot_apply_to_the_own_function(executed):
    text, page = _outputs(executed[2])
    assert "your own preprocessing function: the tool cannot apply it twice on your behalf" in text
    assert "Causes ranked by the largest probability change" in page


def test_the_pipeline_match_names_each_pipeline(executed):
    text, page = _outputs(executed[3])
    assert ("your training array equals TensorFlow (tf.io.decode_image, tf.image.resize bilinear) + tf preprocessing" in text)
    assert "your serving array equals keras.utils.load_img (nearest) + tf preprocessing" in text
    assert "Pixel difference" in page and "data:image/png;base64," in page
