"""``python -m vitesse`` runs the command line."""

from vitesse.cli import main

main()
