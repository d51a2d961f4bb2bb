"""Executes analytics.ipynb headless (nbclient); fails when a cell fails. The plots land
under $LMS_NOTEBOOK_OUT (default target/notebook)."""

from __future__ import annotations

import pathlib
import sys

import nbclient
import nbformat


def main() -> int:
    path = pathlib.Path(__file__).with_name("analytics.ipynb")
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3").execute()
    done = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else None
    if done:
        nbformat.write(nb, done)
    print(f"{path.name}: {sum(c.cell_type == 'code' for c in nb.cells)} code cells executed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
