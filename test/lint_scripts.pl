#!/usr/bin/perl
# test/lint_scripts.pl FILE... - lint churnwarn's install and upgrade scripts.
#
# Tokenizes each script the way the SQL lexer does (comments, quoted
# literals, E'' strings, dollar quotes, quoted identifiers) and reports
#  - @extschema@ inside a quoted literal or dollar-quoted body, where a
#    crafted schema name could break out of the quotes (PostgreSQL's
#    "Security Considerations for Extension Scripts");
#  - CREATE OR REPLACE and IF NOT EXISTS in an install script (not an
#    upgrade script), which would silently adopt an object an attacker
#    created first;
#  - a script that does not start with the \echo ... \quit guard.
# Prints "problems: 0", or the count followed by one line per problem.
use strict;
use warnings;

my @problems;
for my $file (@ARGV) {
	open my $fh, '<', $file or die "$file: $!";
	local $/;
	my $text = <$fh>;
	close $fh;
	my $install = ($file !~ /--[^\/]*--/);
	push @problems, "$file: no \\echo ... \\quit guard before the first statement"
	  unless $text =~ /^(?:\s|--[^\n]*\n|\/\*.*?\*\/)*\\echo [^\n]*\\quit/s;
	my $pos = 0;
	my $len = length $text;
	my $code = '';    # the text outside comments and literals
	my $line_of = sub { 1 + (substr($text, 0, $_[0]) =~ tr/\n//) };
	while ($pos < $len) {
		pos($text) = $pos;
		if ($text =~ /\G--[^\n]*/gc) {
			$code .= ' ';
		} elsif ($text =~ /\G\/\*/gc) {
			my $depth = 1;
			while ($depth > 0 && $text =~ /\G(?:.*?)(\/\*|\*\/)/gcs) {
				$depth += ($1 eq '/*') ? 1 : -1;
			}
			pos($text) = $len if $depth > 0;
			$code .= ' ';
		} elsif ($text =~ /\G([eE]?)'/gc) {
			my $start = pos($text);
			my $esc = $1 ne '';
			my $re = $esc ? qr/\G(?:[^'\\]|\\.|'')*'/s : qr/\G(?:[^']|'')*'/s;
			$text =~ /$re/gc or pos($text) = $len;
			my $lit = substr($text, $start, pos($text) - $start);
			push @problems, sprintf("%s:%d: \@extschema\@ inside a quoted literal", $file, $line_of->($start))
			  if $lit =~ /\@extschema\@/;
			$code .= "''";
		} elsif ($text =~ /\G(\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$)/gc) {
			my ($tag, $start) = ($1, pos($text));
			my $end = index($text, $tag, $start);
			$end = $len if $end < 0;
			my $body = substr($text, $start, $end - $start);
			push @problems, sprintf("%s:%d: \@extschema\@ inside a dollar-quoted body", $file, $line_of->($start))
			  if $body =~ /\@extschema\@/;
			pos($text) = $end + length $tag;
			$code .= "''";
		} elsif ($text =~ /\G"(?:[^"]|"")*"/gc) {
			$code .= '"x"';
		} elsif ($text =~ /\G([^-\/'eE\$"]+|.)/gcs) {
			$code .= $1;
		}
		$pos = pos($text);
	}
	if ($install) {
		push @problems, "$file: CREATE OR REPLACE in an install script"
		  if $code =~ /\bCREATE\s+OR\s+REPLACE\b/i;
		push @problems, "$file: IF NOT EXISTS in an install script"
		  if $code =~ /\bIF\s+NOT\s+EXISTS\b/i;
	}
}
print "problems: ", scalar(@problems), "\n";
print "$_\n" for @problems;
