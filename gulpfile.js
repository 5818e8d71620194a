/** Copies what the compiled nodes read at run time next to them in dist/. */
const { src, dest, parallel } = require('gulp');

const copyIcons = () => src('nodes/**/*.svg', { base: '.', encoding: false }).pipe(dest('dist'));
const copyCredentialIcons = () =>
	src('credentials/**/*.svg', { base: '.', encoding: false, allowEmpty: true }).pipe(dest('dist'));
const copyTemplates = () =>
	src(['templates/**/*', '!templates/**/*.png'], { base: '.', encoding: false }).pipe(dest('dist'));
const copyLanguages = () => src('languages/*.json', { base: '.' }).pipe(dest('dist'));

exports.build = parallel(copyIcons, copyCredentialIcons, copyTemplates, copyLanguages);
