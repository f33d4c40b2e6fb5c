from pagetojob.cli import main

main()
