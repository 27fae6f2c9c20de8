// NutriMapa's maps locate regions by GeoJSON feature id, never by country name:
// plotly's country-name lookup table (67 kB) is left out of the bundle.
exports.COUNTRIES = [];
exports.createLookup = function () {
    return { lookupAlpha3: function () { return undefined; } };
};
