"""`python -m iacai.service`: the same as `iacai serve`."""

import argparse
import sys

from iacai.cli import add_data_argument
from iacai.service.command import HELP, add_arguments, run

if __name__ == "__main__":  # query workers are spawned and re-import this module: serve once
    parser = argparse.ArgumentParser(prog="iacai serve", description=HELP)
    add_arguments(parser)
    add_data_argument(parser)
    sys.exit(run(parser.parse_args()))
