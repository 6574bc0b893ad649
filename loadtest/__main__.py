from loadtest.run import main

raise SystemExit(main())
