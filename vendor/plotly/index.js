// plotly.js core with only the trace types NutriMapa draws: maps (choropleth, scattergeo)
// and the region pages' charts (scatter, bar). Same plotly.js version as the Python plotly package.
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/choropleth'),
    require('plotly.js/lib/scattergeo'),
    require('plotly.js/lib/locales/es'),
]);

module.exports = Plotly;
