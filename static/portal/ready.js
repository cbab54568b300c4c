/* Loaded last on every page: scripts run in order, so once this has run every enhancement above has
   attached its listeners. Browser tests wait for this mark instead of racing the page's scripts. */
document.documentElement.setAttribute("data-scripts-ready", "");
